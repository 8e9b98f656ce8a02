import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { cpuSegmentSumConfig, replaceKernels } from '../worker/kernels/js-kernels.js'
import { buildExamples } from './examples.js'
import { initWeights, mulberry32 } from './init-weights.js'
import { itemTableVectors } from './item-vectors.js'
import { SessionModel } from './session-model.js'
import { sampleLogCounts } from './sparse-train.js'

const cfg = { numItems: 12, dim: 8, maxLen: 4, numCategories: 2 }

beforeAll(async () => {
  // The worker's cpu backend: its own UnsortedSegmentSum (tfjs's is quadratic in the table rows).
  replaceKernels([cpuSegmentSumConfig])
  await tf.setBackend('cpu')
})

describe('SessionModel', () => {
  it('builds right-aligned prefixes', () => {
    const ex = buildExamples([[5, 6, 7], [9]], 2)
    expect(ex.count).toBe(2)
    expect(Array.from(ex.inputs)).toEqual([0, 5, 5, 6])
    expect(Array.from(ex.targets)).toEqual([6, 7])
  })

  it('learns a deterministic sequence by gradient descent', async () => {
    const sessions = Array.from({ length: 20 }, () => [1, 2, 3, 4, 5, 6])
    const m = new SessionModel(cfg, initWeights(cfg, 7), [0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0])
    const before = await m.getWeights()
    const { epochLosses } = await m.train(buildExamples(sessions, cfg.maxLen), { epochs: 30, batchSize: 16, learningRate: 0.05, seed: 3 })
    expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! * 0.2)
    const scores = await m.scoreBatch(Int32Array.from([0, 1, 2, 3]), 1)
    const best = scores.indexOf(Math.max(...scores))
    expect(best).toBe(4)
    expect((await m.getWeights()).some((w, i) => w !== before[i])).toBe(true)
    m.dispose()
  })

  it('trains with sampled softmax, row-sparse updates and length buckets, touching only rows it saw', async () => {
    const big = { numItems: 60, dim: 8, maxLen: 4, numCategories: 0 }
    const w0 = initWeights(big, 5)
    const m = new SessionModel(big, w0)
    const sessions = Array.from({ length: 30 }, () => [1, 2, 3, 4, 5, 6])
    const opts = { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, sampledNegatives: 6, bucketByLength: true }
    const { epochLosses } = await m.train(buildExamples(sessions, big.maxLen), opts)
    expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! * 0.3)
    const scores = await m.scoreBatch(Int32Array.from([0, 1, 2, 3]), 1)
    expect(scores.indexOf(Math.max(...scores))).toBe(4)
    // encodeBatch · itemVectors is scoreBatch
    const h = await m.encodeBatch(Int32Array.from([0, 1, 2, 3]), 1)
    const items = await m.itemVectors()
    const dot = (j: number): number => h.reduce((acc, x, k) => acc + x * items[j * big.dim + k]!, 0)
    expect(dot(4)).toBeCloseTo(scores[4]!, 4)
    // the padding row never moves
    const w1 = await m.getWeights()
    expect(Array.from(w1.subarray(0, big.dim))).toEqual(Array.from(w0.subarray(0, big.dim)))
    m.setWeights(w0)
    expect(Array.from(await m.getWeights())).toEqual(Array.from(w0))
    m.dispose()
  })

  it('trains a compact table (own + double-hashed rows) both ways, moving only rows its items use', async () => {
    const compact = { numItems: 80, dim: 8, maxLen: 4, numCategories: 0, ownRows: 10, hashRows: 40 }
    const w0 = initWeights(compact, 5)
    expect(w0.length).toBe(51 * 8 + 8 + 4 * 8 + 64 + 64 + 8 + 128)
    const m = new SessionModel(compact, w0)
    // A tail item's vector is the sum of its two shared rows (plus category 0's embedding).
    const items = await m.itemVectors()
    const slots = m.itemSlots
    for (const item of [3, 40, 77]) {
      for (let k = 0; k < 8; k++) {
        const want = w0[slots[2 * item]! * 8 + k]! + w0[slots[2 * item + 1]! * 8 + k]! + w0[51 * 8 + k]!
        expect(items[item * 8 + k]).toBeCloseTo(want, 6)
      }
    }
    // Target a tail item whose pair of rows no other item shares (a shared pair scores the same).
    const pair = (i: number): string => `${slots[2 * i]}:${slots[2 * i + 1]}`
    const target = [60, 61, 62, 63, 64].find((t) => [...Array(81).keys()].filter((i) => pair(i) === pair(t)).length === 1)!
    // The plain-TS table vectors (no tfjs) are the same sums, without the category embedding.
    const plain = itemTableVectors(compact, w0.subarray(0, 51 * 8))
    for (let i = 0; i < plain.length; i++) expect(plain[i]! + w0[51 * 8 + (i % 8)]! * (i >= 8 ? 1 : 0)).toBeCloseTo(i >= 8 ? items[i]! : 0, 5)
    const sessions = Array.from({ length: 30 }, () => [2, 45, 3, target, 5])
    const ex = buildExamples(sessions, compact.maxLen)
    const sparse = await m.train(ex, { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, sampledNegatives: 40, bucketByLength: true })
    expect(sparse.epochLosses.at(-1)!).toBeLessThan(sparse.epochLosses[0]! * 0.3)
    const scores = await m.scoreBatch(Int32Array.from([0, 2, 45, 3]), 1)
    expect(scores.indexOf(Math.max(...scores))).toBe(target)
    // Rows no item of these sessions maps to (nor a sampled negative could reach) stay put only
    // if unused: the padding row always does.
    const w1 = await m.getWeights()
    expect(Array.from(w1.subarray(0, 8))).toEqual(Array.from(w0.subarray(0, 8)))
    expect(w1.some((x, i) => x !== w0[i])).toBe(true)
    // The full softmax path trains the same table through tf.gather.
    m.setWeights(w0)
    const dense = await m.train(ex, { epochs: 30, batchSize: 16, learningRate: 0.05, seed: 3 })
    expect(dense.epochLosses.at(-1)!).toBeLessThan(dense.epochLosses[0]! * 0.3)
    m.dispose()
  })

  it('scores by cosine times the scale with cosine logits, and learns with them', async () => {
    const cos = { numItems: 60, dim: 8, maxLen: 4, numCategories: 0, scale: 5 }
    const m = new SessionModel(cos, initWeights(cos, 5))
    const sessions = Array.from({ length: 30 }, () => [1, 2, 3, 4, 5, 6])
    const { epochLosses } = await m.train(buildExamples(sessions, cos.maxLen), { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, sampledNegatives: 6 })
    expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! * 0.3)
    const prefix = Int32Array.from([0, 1, 2, 3])
    const scores = await m.scoreBatch(prefix, 1)
    expect(scores.indexOf(Math.max(...scores))).toBe(4)
    const h = await m.encodeBatch(prefix, 1)
    const items = await m.itemVectors()
    const norm = (v: Float32Array): number => Math.hypot(...v)
    expect(norm(h)).toBeCloseTo(5, 4)
    for (const i of [1, 4, 60]) expect(norm(items.subarray(i * 8, i * 8 + 8))).toBeCloseTo(1, 4)
    // so no logit can exceed the scale, whatever the weights learned
    expect(Math.max(...scores)).toBeLessThanOrEqual(5 + 1e-4)
    m.dispose()
  })

  it('trains with mixed negatives (the batch\'s targets, logQ-corrected), compact table too', async () => {
    for (const c of [
      { numItems: 60, dim: 8, maxLen: 4, numCategories: 0 },
      { numItems: 80, dim: 8, maxLen: 4, numCategories: 0, ownRows: 10, hashRows: 40, scale: 6 },
    ]) {
      const m = new SessionModel(c, initWeights(c, 5))
      // Two interleaved sequences, so a batch's other targets are real negatives.
      const sessions = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? [1, 2, 3, 4, 5, 6] : [7, 8, 9, 30, 31, 32]))
      const ex = buildExamples(sessions, c.maxLen)
      const { epochLosses } = await m.train(ex, { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, sampledNegatives: 6, inBatchNegatives: true })
      expect(epochLosses.at(-1)!).toBeLessThan(epochLosses[0]! * 0.3)
      const scores = await m.scoreBatch(Int32Array.from([0, 7, 8, 9, 0, 1, 2, 3]), 2)
      const n = c.numItems + 1
      const best = (row: Float32Array): number => row.indexOf(Math.max(...row))
      expect(best(scores.subarray(0, n))).toBe(30)
      expect(best(scores.subarray(n))).toBe(4)
      m.dispose()
    }
  })

  it('trains with input dropout: reproducible from the seed, a different path than without, and still learns', async () => {
    const big = { numItems: 60, dim: 8, maxLen: 4, numCategories: 0, scale: 5 }
    const w0 = initWeights(big, 5)
    const ex = buildExamples(Array.from({ length: 30 }, () => [1, 2, 3, 4, 5, 6]), big.maxLen)
    const opts = { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, sampledNegatives: 6 }
    const run = async (dropout: number): Promise<{ w: Float32Array; losses: number[]; best: number }> => {
      const m = new SessionModel(big, w0)
      const { epochLosses } = await m.train(ex, { ...opts, dropout })
      const scores = await m.scoreBatch(Int32Array.from([0, 1, 2, 3]), 1)
      const out = { w: await m.getWeights(), losses: epochLosses, best: scores.indexOf(Math.max(...scores)) }
      m.dispose()
      return out
    }
    const [none, a, b] = [await run(0), await run(0.3), await run(0.3)]
    expect(Array.from(a.w)).toEqual(Array.from(b.w))
    expect(a.w.some((x, i) => x !== none.w[i])).toBe(true)
    expect(a.losses.at(-1)!).toBeLessThan(a.losses[0]! * 0.5)
    expect(a.best).toBe(4)
    const m = new SessionModel(big, w0)
    await expect(m.train(ex, { ...opts, dropout: 1 })).rejects.toThrow(/dropout must be in \[0, 1\)/)
    m.dispose()
  })

  it('learns repeat weights where the next item is often one of the session, sampled and full softmax alike', async () => {
    // Next items: the item two clicks back, half the time; otherwise a fixed successor.
    const rand = mulberry32(4)
    const sessions = Array.from({ length: 200 }, () => {
      const s = [1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 40)]
      while (s.length < 6) s.push(rand() < 0.5 ? s[s.length - 2]! : ((s[s.length - 1]! * 7) % 40) + 1)
      return s
    })
    for (const sampledNegatives of [12, undefined]) {
      const c = { numItems: 60, dim: 8, maxLen: 4, numCategories: 0, scale: 5, repeat: true }
      const w0 = initWeights(c, 5)
      expect(Array.from(w0.subarray(w0.length - 4))).toEqual([0, 0, 0, 0])
      const m = new SessionModel(c, w0)
      const ex = buildExamples(sessions, c.maxLen)
      await m.train(ex, { epochs: 6, batchSize: 32, learningRate: 0.03, seed: 3, ...(sampledNegatives ? { sampledNegatives } : {}) })
      const rep = (await m.repeatWeights())!
      // The position two back (index 2 of 4) carries the repeats, more than the last click.
      expect(rep[2]!).toBeGreaterThan(0.5)
      expect(rep[2]!).toBeGreaterThan(rep[3]!)
      // scoreBatch adds the repeat scores in plain JS: the same as the tfjs logits.
      const prefix = Int32Array.from([3, 9, 3, 12])
      const scores = await m.scoreBatch(prefix, 1)
      const ref = tf.tidy(() => m.logits(tf.tensor2d(prefix, [1, 4], 'int32')).dataSync())
      for (let i = 1; i <= 60; i++) expect(scores[i]).toBeCloseTo(ref[i]!, 4)
      m.dispose()
    }
    // The repeat weights learn with the rest of the model in every epoch, not once.
    const c = { numItems: 60, dim: 8, maxLen: 4, numCategories: 0, scale: 5, repeat: true }
    const m = new SessionModel(c, initWeights(c, 5))
    const ex = buildExamples(sessions, c.maxLen)
    await m.train(ex, { epochs: 2, batchSize: 32, learningRate: 0.03, seed: 3, sampledNegatives: 12 })
    const before = await m.getWeights()
    await m.train(ex, { epochs: 1, batchSize: 32, learningRate: 0.03, seed: 4, sampledNegatives: 12 })
    const after = await m.getWeights()
    expect(after.subarray(after.length - 4).some((x, i) => x !== before[before.length - 4 + i])).toBe(true)
    m.dispose()
  })

  it('weighs the session against the whole catalogue, not against a few uniform negatives', async () => {
    // 3,000 items, 8 negatives a batch (a federated client's budget in miniature): the next item
    // is the one two clicks back a tenth of the time. Uncorrected, the other session items,
    // candidates for sure, would compete against 8 items instead of 3,000, and the weight of
    // the position two back came out at -0.20 (5.35 corrected) with these 600 sessions.
    const rand = mulberry32(9)
    const sessions = Array.from({ length: 600 }, () => {
      const s = [1 + Math.floor(rand() * 3000), 1 + Math.floor(rand() * 3000)]
      while (s.length < 8) s.push(rand() < 0.1 ? s[s.length - 2]! : 1 + Math.floor(rand() * 3000))
      return s
    })
    const c = { numItems: 3000, dim: 8, maxLen: 6, numCategories: 0, scale: 5, repeat: true }
    const m = new SessionModel(c, initWeights(c, 5))
    await m.train(buildExamples(sessions, c.maxLen), { epochs: 3, batchSize: 32, learningRate: 0.03, seed: 3, sampledNegatives: 8 })
    const rep = (await m.repeatWeights())!
    expect(rep[4]!).toBeGreaterThan(2)
    m.dispose()
  })

  it('refuses weights of the wrong size', () => {
    expect(() => new SessionModel(cfg, new Float32Array(3))).toThrow(/needs/)
  })
})

describe('sampleLogCounts', () => {
  it('is the log of the expected count of each item among uniform draws plus a batch of targets', () => {
    // targets: 1, 1, 1, 2 (item 3 and 4 never a target)
    const ex = buildExamples([[3, 1, 1, 1, 2]], 4)
    const lq = sampleLogCounts(ex, 4, 2, 8)
    expect(lq[1]).toBeCloseTo(Math.log(2 / 4 + (8 * 3) / 4), 5)
    expect(lq[2]).toBeCloseTo(Math.log(2 / 4 + 8 / 4), 5)
    expect(lq[3]).toBeCloseTo(Math.log(2 / 4), 5)
    expect(lq[4]).toBeCloseTo(Math.log(2 / 4), 5)
  })
})
