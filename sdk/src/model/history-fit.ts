/** How well a model already explains a device's own history: the personal fine-tune's guide. */
import type { Examples } from './examples.js'
import type { SessionModel } from './session-model.js'

/**
 * The model's mean cross-entropy on the examples' next items over the whole catalogue (the
 * logits it ranks with, repeat scores included), divided by ln(items), the cross-entropy of a
 * uniform guess: about 1 for a model that knows nothing of these sessions (fresh weights), and
 * lower the better it predicts them. NaN when there are no examples. From `scoreBatch`, the
 * ranking's own scores, rather than `SessionModel.loss`, whose repeat scores build a one-hot
 * [examples, maxLen, items] tensor for the whole history at once.
 * @example await chanceLossRatio(model, buildExamples(sessions, model.cfg.maxLen)) // 0.42
 */
export async function chanceLossRatio(model: SessionModel, ex: Examples): Promise<number> {
  if (ex.count === 0) return Number.NaN
  const scores = await model.scoreBatch(ex.inputs, ex.count)
  const n = model.cfg.numItems + 1
  let sum = 0
  for (let r = 0; r < ex.count; r++) {
    // Index 0 is padding, never a candidate.
    const row = scores.subarray(r * n + 1, (r + 1) * n)
    let max = -Infinity
    for (const v of row) if (v > max) max = v
    let z = 0
    for (const v of row) z += Math.exp(v - max)
    sum += max + Math.log(z) - scores[r * n + ex.targets[r]!]!
  }
  return sum / ex.count / Math.log(model.cfg.numItems)
}
