import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROW_SCALE_DEFAULTS } from '../../../aggregator/src/index.js'
import { catalogueConfig, initWeights, itemTableRows, modelLayout } from '../model/index.js'
import { COSINE_ABOVE } from '../model/config.js'
import { FULL_SOFTMAX_UP_TO, localTrainOptions, LOCAL_TRAIN, SAMPLED_LOCAL_TRAIN, trainLocal } from './local-training.js'
import { cpuSegmentSumConfig, replaceKernels } from './kernels/js-kernels.js'
import type { GlobalModel } from './model-cache.js'

beforeAll(async () => {
  // The worker's cpu backend: its own UnsortedSegmentSum (tfjs's is quadratic in the table rows).
  replaceKernels([cpuSegmentSumConfig])
  await tf.setBackend('cpu')
})

function globalModel(numItems: number): GlobalModel {
  const config = catalogueConfig(numItems, 0)
  const vocab = Array.from({ length: numItems }, (_, i) => `sku-${i + 1}`)
  const bundle = { version: 3, description: { layout: modelLayout(config), config: { ...config }, vocab }, weights: initWeights(config, 9) }
  return { bundle, vocab: new Map(vocab.map((id, i) => [id, i + 1])) }
}

describe('local training', () => {
  it('keeps the full softmax for a small shop and samples negatives for a large catalogue', () => {
    expect(localTrainOptions(194)).toBe(LOCAL_TRAIN)
    expect(localTrainOptions(FULL_SOFTMAX_UP_TO + 1)).toBe(SAMPLED_LOCAL_TRAIN)
    expect(SAMPLED_LOCAL_TRAIN.sampledNegatives).toBeGreaterThan(0)
    expect(localTrainOptions(50_000, LOCAL_TRAIN)).toEqual({ ...LOCAL_TRAIN, sampledNegatives: SAMPLED_LOCAL_TRAIN.sampledNegatives })
    expect(localTrainOptions(50_000, { ...LOCAL_TRAIN, sampledNegatives: 8 }).sampledNegatives).toBe(8)
  })

  it('is the schedule the edge\'s row-scale defaults and the catalogue\'s model assume', () => {
    expect(ROW_SCALE_DEFAULTS.fullSoftmaxUpTo).toBe(FULL_SOFTMAX_UP_TO)
    // The cosine model with repeat scores was validated where training samples its negatives.
    expect(COSINE_ABOVE).toBe(FULL_SOFTMAX_UP_TO)
    expect(ROW_SCALE_DEFAULTS.negativeDraws).toBe(SAMPLED_LOCAL_TRAIN.sampledNegatives * SAMPLED_LOCAL_TRAIN.epochs)
  })

  it('trains a large catalogue with the federated simulation\'s schedule by default', async () => {
    const { examples, losses } = await trainLocal(globalModel(43_097), [[3, 17, 3, 40_000], [17, 8_000, 12_345]])
    expect(examples).toBe(5)
    expect(losses).toHaveLength(SAMPLED_LOCAL_TRAIN.epochs)
  })

  for (const items of [43_097, 100_000]) {
    it(`fine-tunes the model of a ${items.toLocaleString('en-US')}-item catalogue on a device-sized history`, async () => {
      const model = globalModel(items)
      const cfg = catalogueConfig(items, 0)
      // a row per item for Diginetica's catalogue; beyond 45,000 items a bounded table of fewer rows than items
      expect(itemTableRows(cfg)).toBeLessThanOrEqual(Math.min(items + 1, 45_001))
      // popular items and long-tail items (which hash into shared rows in a compact table)
      const sessions = [
        [3, 17, 3, 40_000, 25_000],
        [17, 8_000, 12_345, 3],
        [40_000, 25_000, 17],
      ]
      const { weights, examples, losses } = await trainLocal(model, sessions, { ...LOCAL_TRAIN, epochs: 4 })
      expect(examples).toBe(9)
      expect(losses).toHaveLength(4)
      expect(losses.at(-1)!).toBeLessThan(losses[0]!)
      expect(weights.length).toBe(model.bundle.weights.length)
      // Only the rows of the items it saw (and of sampled negatives) moved; the padding row never.
      const d = cfg.dim
      expect(Array.from(weights.subarray(0, d))).toEqual(Array.from(model.bundle.weights.subarray(0, d)))
      let movedRows = 0
      for (let r = 1; r < itemTableRows(cfg); r++) {
        if (weights.subarray(r * d, r * d + d).some((w, k) => w !== model.bundle.weights[r * d + k])) movedRows++
      }
      expect(movedRows).toBeGreaterThan(5)
      expect(movedRows).toBeLessThan(itemTableRows(cfg))
    })
  }
})
