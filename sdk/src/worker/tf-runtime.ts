/**
 * Everything in the worker that needs tfjs, behind one dynamic import: the worker starts, syncs
 * the model and answers popularity, trending and recently-viewed lists without downloading tfjs;
 * this chunk loads the first time the device trains or scores with the model.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { writePrefix } from '../model/examples.js'
import { instantiate } from './local-training.js'
import type { GlobalModel } from './model-cache.js'

export { selectBackend } from './backend.js'
export { trainLocal } from './local-training.js'

/**
 * The model's next-item scores over every row, given the items of a context (oldest first).
 * @example const scores = await scoreContext(model, weights, [12, 40, 7])
 */
export async function scoreContext(model: GlobalModel, weights: Float32Array, context: readonly number[]): Promise<Float32Array> {
  const m = instantiate(model, weights)
  try {
    const input = new Int32Array(m.cfg.maxLen)
    const ctx = context.slice(-m.cfg.maxLen)
    writePrefix(ctx, ctx.length, m.cfg.maxLen, input, 0)
    return await m.scoreBatch(input, 1)
  } finally {
    m.dispose()
  }
}
