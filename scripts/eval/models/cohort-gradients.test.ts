/** One-step clients computed as a cohort: each session's update is the SDK trainer's gradient, clipped alone. */

import { beforeAll, describe, expect, it } from 'vitest'
import { tensorSize } from '../../../aggregator/src/index.js'
import { modelLayout, type SessionModelConfig } from '../../../sdk/src/model/config.js'
import { buildExamples, initWeights, mulberry32, SessionModel } from '../../../sdk/src/model/index.js'
import { checkCohortConfig, clippedCohortSum } from './cohort-gradients.js'
import { nodeTf } from './tf-node.js'

const cfg: SessionModelConfig = { numItems: 30, dim: 4, maxLen: 5, numCategories: 0, scale: 10, repeat: true }
const N = 8

/** Initial weights with non-zero repeat weights, so that the repeat block carries gradient. */
function weights(): Float32Array {
  const w = initWeights(cfg, 3)
  const rep = w.length - cfg.maxLen
  for (let j = 0; j < cfg.maxLen; j++) w[rep + j] = 0.3 * j - 0.4
  return w
}

/** [name, start, end) of each tensor in the flat weights. */
function ranges(): [string, number, number][] {
  let off = 0
  return modelLayout(cfg).map((t) => {
    const r: [string, number, number] = [t.name, off, off + tensorSize(t.shape)]
    off = r[2]
    return r
  })
}

/**
 * The SDK trainer's summed gradient of `session`'s examples as one batch (sparse-train.ts:
 * `sampledNegatives` N shared by the batch, repeat scores, plain SGD at rate 1, so the change of
 * the weights is minus the mean gradient), with the negatives drawn from `mulberry32(seed)`
 * after the epoch's shuffle; and a generator that draws the same negatives.
 */
async function trainerGradient(session: Int32Array, seed: number): Promise<{ grad: Float32Array; rand: () => number }> {
  const ex = buildExamples([session], cfg.maxLen)
  const before = weights()
  const model = new SessionModel(cfg, before)
  await model.train(ex, { epochs: 1, batchSize: 64, learningRate: 1, seed, sampledNegatives: N, optimizer: 'sgd', bucketByLength: false })
  const after = await model.getWeights()
  model.dispose()
  const grad = Float32Array.from(before, (b, i) => (b - after[i]!) * ex.count)
  const rand = mulberry32(seed)
  for (let i = 0; i < ex.count - 1; i++) rand() // the shuffle's draws
  return { grad, rand }
}

beforeAll(async () => {
  await nodeTf('wasm')
})

describe('clippedCohortSum', () => {
  const session = Int32Array.of(3, 7, 3, 12, 5, 7)

  it("sends minus the SDK trainer's gradient of the session, for every trained tensor", async () => {
    const { grad, rand } = await trainerGradient(session, 11)
    const { sum, clients, clipped, norms } = await clippedCohortSum(cfg, weights(), [session], { negatives: N, clipNorm: 0, rand })
    expect(clients).toBe(1)
    expect(clipped).toBe(0)
    let sq = 0
    for (const [name, from, to] of ranges()) {
      // The category table is not trained by one-step clients.
      if (name === 'cat_emb') continue
      for (let i = from; i < to; i++) {
        expect(sum[i]!, `${name}[${i - from}]`).toBeCloseTo(-grad[i]!, 4)
        sq += sum[i]! ** 2
      }
    }
    expect(norms[0]).toBeCloseTo(Math.sqrt(sq), 4)
    // The repeat weights and the session's rows did learn something.
    const rep = Array.from(sum.subarray(sum.length - cfg.maxLen), Math.abs)
    expect(Math.max(...rep)).toBeGreaterThan(1e-3)
    expect(Math.abs(sum[7 * cfg.dim]!)).toBeGreaterThan(1e-4)
  })

  it('computes each session alone, in one batch or in several, and clips each to C', async () => {
    const other = Int32Array.of(9, 20, 21)
    const a = await clippedCohortSum(cfg, weights(), [session, Int32Array.of(4), other], { negatives: N, clipNorm: 0, rand: mulberry32(5) })
    const b = await clippedCohortSum(cfg, weights(), [session, Int32Array.of(4), other], { negatives: N, clipNorm: 0, rand: mulberry32(5), chunk: 1 })
    // A one-item session has no example: it is not a client.
    expect(a.clients).toBe(2)
    for (let i = 0; i < a.sum.length; i++) expect(a.sum[i]!).toBeCloseTo(b.sum[i]!, 5)
    const c = await clippedCohortSum(cfg, weights(), [session, other], { negatives: N, clipNorm: 0.01, rand: mulberry32(5) })
    expect(c.clipped).toBe(2)
    let sq = 0
    for (const v of c.sum) sq += v * v
    expect(Math.sqrt(sq)).toBeLessThanOrEqual(0.02 + 1e-6)
    expect(Math.min(...c.norms)).toBeGreaterThan(0.01)
  })

  it("leaves out the rows that are not in the round's update", async () => {
    const r = await clippedCohortSum(cfg, weights(), [session], { negatives: N, clipNorm: 0, rand: mulberry32(5), rowInRound: (row) => row < 10 })
    const d = cfg.dim
    for (let row = 10; row <= cfg.numItems; row++) for (let k = 0; k < d; k++) expect(r.sum[row * d + k]).toBe(0)
    expect(Math.abs(r.sum[3 * d]!) + Math.abs(r.sum[7 * d]!)).toBeGreaterThan(0)
  })

  it('names what it does not support', () => {
    expect(() => checkCohortConfig({ ...cfg, numCategories: 2 })).toThrow(/categories/)
    expect(() => checkCohortConfig({ ...cfg, repeat: false })).toThrow(/cosine logits and repeat scores/)
    expect(() => checkCohortConfig(cfg)).not.toThrow()
  })
})
