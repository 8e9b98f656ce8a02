import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildExamples } from './examples.js'
import { initWeights } from './init-weights.js'
import { SessionModel } from './session-model.js'

const cfg = { numItems: 12, dim: 8, maxLen: 4, numCategories: 2 }

beforeAll(async () => {
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

  it('refuses weights of the wrong size', () => {
    expect(() => new SessionModel(cfg, new Float32Array(3))).toThrow(/needs/)
  })
})
