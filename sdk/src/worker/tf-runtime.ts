/**
 * Everything in the worker that needs tfjs, behind one dynamic import: the worker starts, syncs
 * the model, ranks (score-js.ts) and answers every list without downloading tfjs; this chunk
 * loads the first time the device trains (a personal fine-tune or a participation).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients'

export { selectBackend } from './backend.js'
export { trainLocal } from './local-training.js'
