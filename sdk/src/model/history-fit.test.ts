import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { catalogueConfig } from './config.js'
import { buildExamples } from './examples.js'
import { chanceLossRatio } from './history-fit.js'
import { initWeights } from './init-weights.js'
import { SessionModel } from './session-model.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('chanceLossRatio', () => {
  const cfg = catalogueConfig(50, 0)
  const sessions = [[1, 2, 3, 4], [5, 6, 7]]

  it('is 1 for a model that scores every item alike, the cross-entropy of a uniform guess', async () => {
    const m = new SessionModel(cfg, new Float32Array(initWeights(cfg, 1).length))
    try {
      expect(await chanceLossRatio(m, buildExamples(sessions, cfg.maxLen))).toBeCloseTo(1, 6)
    } finally {
      m.dispose()
    }
  })

  it('falls as the model learns the sessions, and is NaN without a next item to predict', async () => {
    const m = new SessionModel(cfg, initWeights(cfg, 1))
    try {
      const ex = buildExamples(sessions, cfg.maxLen)
      const before = await chanceLossRatio(m, ex)
      const { epochLosses } = await m.train(ex, { epochs: 30, batchSize: 8, learningRate: 0.05, seed: 1 })
      const after = await chanceLossRatio(m, ex)
      expect(after).toBeLessThan(before / 2)
      // the same quantity training reports, on the same scale
      expect(after * Math.log(cfg.numItems)).toBeCloseTo(epochLosses.at(-1)!, 0)
      expect(await chanceLossRatio(m, buildExamples([[9]], cfg.maxLen))).toBeNaN()
    } finally {
      m.dispose()
    }
  })
})
