/** Index mapping and full-catalogue scoring shared by the neural models. */

import { describe, expect, it } from 'vitest'
import { buildExamples } from '../../../sdk/src/model/index.js'
import { parseTrainSessions } from '../data.js'
import { ParamError } from '../params.js'
import type { FitOptions } from '../recommender.js'
import { dotScores, itemIndex, modelSessions, prefixInputs, recentExamples, trainEpochs, trainParams, TRAIN_DEFAULTS } from './neural.js'

// Catalogue {2, 5, 9}; by frequency (5 and 9 twice, 2 once): model items 5 → 1, 9 → 2, 2 → 3.
const train = parseTrainSessions('5 2\n9 5 9\n')

describe('item index', () => {
  it('maps raw ids to dense model indices by descending frequency, and back', () => {
    const ix = itemIndex(train)
    expect(ix.numItems).toBe(3)
    expect(Array.from(ix.toRaw)).toEqual([5, 9, 2])
    expect([2, 5, 9, 3].map((id) => ix.toModel[id])).toEqual([3, 1, 2, 0])
    expect(modelSessions(train, ix).map((s) => Array.from(s))).toEqual([[1, 3], [2, 1, 2]])
  })

  it('right-aligns prefixes and drops unknown ids', () => {
    const ix = itemIndex(train)
    expect(Array.from(prefixInputs([Int32Array.of(5, 77, 9), Int32Array.of(2, 5, 9, 2)], ix, 3))).toEqual([0, 1, 2, 1, 2, 3])
  })
})

describe('dotScores', () => {
  it('writes h · item vectors at the raw ids', () => {
    const ix = itemIndex(train)
    const d = 5 // exercises the unrolled loop and its tail
    const items = new Float32Array(4 * d)
    for (let j = 1; j <= 3; j++) for (let k = 0; k < d; k++) items[j * d + k] = j * (k + 1)
    const h = Float32Array.of(1, 0, 0, 0, 1, 0, 1, 0, 0, 0)
    const out = new Float32Array(2 * 10)
    dotScores(h, items, 2, d, ix, out, 10)
    // row 0: h = e0 + e4 → j·(1 + 5); row 1: h = e1 → j·2
    expect([out[2], out[5], out[9]]).toEqual([18, 6, 12]) // raw 2, 5, 9 are model items 3, 1, 2
    expect([out[12], out[15], out[19]]).toEqual([6, 2, 4])
    expect(out[0]).toBe(0)
  })
})

describe('rankBatch', () => {
  it('gives exactly the ranks of full scoring, ties and misses included', async () => {
    const { NeuralRecommender } = await import('./neural.js')
    const { evaluateCases } = await import('../evaluate.js')
    const { parseTestCases } = await import('../data.js')
    const { mulberry32 } = await import('../../../sdk/src/model/index.js')
    const rand = mulberry32(7)
    // 300 items over ids 1..600 (odd ids), d = 6; every 3rd item duplicates item 1's vector (ties)
    const n = 300
    const d = 6
    const trainText = Array.from({ length: n }, (_, i) => `${2 * i + 1} ${2 * i + 1}`).join('\n') + '\n'
    const data = parseTrainSessions(trainText)
    const items = new Float32Array((n + 1) * d)
    for (let j = 1; j <= n; j++) for (let k = 0; k < d; k++) items[j * d + k] = j % 3 === 0 ? items[d + k]! : rand() * 2 - 1
    const model = {
      cfg: { dim: d, maxLen: 3 },
      async encodeBatch(inputs: Int32Array, count: number): Promise<Float32Array> {
        const h = new Float32Array(count * d)
        for (let b = 0; b < count; b++) {
          const last = inputs[b * 3 + 2]!
          for (let k = 0; k < d; k++) h[b * d + k] = items[last * d + k]! + (k === 0 ? 0.1 : 0)
        }
        return h
      },
      async itemVectors(): Promise<Float32Array> {
        return items
      },
    }
    class Fake extends NeuralRecommender {
      readonly name = 'fake'
      async fit(): Promise<{ modelBytes: number }> {
        this.index = itemIndex(data)
        await this.ready(model)
        return { modelBytes: 0 }
      }
    }
    const lines: string[] = []
    for (let c = 0; c < 400; c++) {
      const p = 2 * Math.floor(rand() * n) + 1
      const t = c % 50 === 0 ? 2 : c % 2 === 0 ? p : 2 * Math.floor(rand() * n) + 1 // id 2: not in the catalogue
      lines.push(`${p}\t${t}`)
    }
    const cases = parseTestCases(lines.join('\n') + '\n')
    const fast = new Fake()
    await fast.fit()
    const full = new Fake()
    await full.fit()
    ;(full as { rankBatch?: unknown }).rankBatch = undefined
    const a = await evaluateCases(fast, cases, data)
    const b = await evaluateCases(full, cases, data)
    expect(a).toEqual(b)
    expect(a.p20).toBeGreaterThan(30)
    expect(a.p20).toBeLessThan(100)
  })
})

describe('recent epochs', () => {
  const ex = buildExamples([[1, 2, 3], [4, 5, 6, 7], [8, 9]], 2) // 6 examples, oldest session first
  const opts = (params: Record<string, string>): FitOptions => ({ quick: false, seed: 1, params, log: () => {}, progress: () => {} })

  it('keeps the most recent share of the examples, in order', () => {
    const r = recentExamples(ex, 0.5)
    expect(r.count).toBe(3)
    expect(Array.from(r.targets)).toEqual([6, 7, 9])
    expect(Array.from(r.inputs)).toEqual([4, 5, 5, 6, 0, 8])
    expect(recentExamples(ex, 1).count).toBe(6)
  })

  it('trains the last epochs on the recent examples only, and refuses more recent epochs than epochs', async () => {
    const seen: number[] = []
    const t = trainParams(opts({ epochs: '3', recent_epochs: '1', recent_share: '0.5' }), TRAIN_DEFAULTS)
    await trainEpochs(async (e) => (seen.push(e.count), { epochLosses: [1] }), ex, t, opts({}))
    expect(seen).toEqual([6, 6, 3])
    const bad = trainParams(opts({ epochs: '1', recent_epochs: '2' }), TRAIN_DEFAULTS)
    await expect(trainEpochs(async () => ({ epochLosses: [1] }), ex, bad, opts({}))).rejects.toThrow(ParamError)
  })
})
