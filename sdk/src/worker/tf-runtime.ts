/**
 * Everything in the worker that needs tfjs, behind one dynamic import: the worker starts, syncs
 * the model, ranks (score-js.ts) and answers every list without downloading tfjs; this chunk
 * loads the first time the device trains (a personal fine-tune or a participation).
 */
// Only the gradients the session model needs (kernels/model-kernels.ts), not all of tfjs's.
import './kernels/gradients.js'

export { selectBackend } from './backend.js'
export { fineTunePersonal, trainLocal, updateIsPersonal } from './local-training.js'
