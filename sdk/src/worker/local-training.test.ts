import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROW_SCALE_DEFAULTS } from '../../../aggregator/src/index.js'
import { catalogueConfig, initWeights, itemTableRows, modelLayout } from '../model/index.js'
import { COLD_LOSS_RATIO, fineTunePersonal, localTrainOptions, LOCAL_TRAIN, PERSONAL_FULL_SOFTMAX_UP_TO, PERSONAL_TRAIN, PERSONAL_TRAIN_COLD, personalTrainOptions, trainLocal, updateIsPersonal } from './local-training.js'
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

/** Rows 1..rows-1 of the item table (`d` wide, at the start of the weights) that training changed. */
function movedRows(before: Float32Array, after: Float32Array, d: number, rows: number): number {
  let moved = 0
  for (let r = 1; r < rows; r++) if (after.subarray(r * d, r * d + d).some((w, k) => w !== before[r * d + k])) moved++
  return moved
}

describe('local training', () => {
  it('samples negatives on every catalogue unless told otherwise', () => {
    expect(localTrainOptions()).toBe(LOCAL_TRAIN)
    expect(LOCAL_TRAIN.sampledNegatives).toBeGreaterThan(0)
    const { sampledNegatives: _, ...named } = LOCAL_TRAIN
    expect(localTrainOptions(named)).toEqual(LOCAL_TRAIN)
    expect(localTrainOptions({ ...LOCAL_TRAIN, sampledNegatives: 0 }).sampledNegatives).toBe(0)
  })

  it('is the schedule the edge\'s row-scale defaults assume', () => {
    expect(ROW_SCALE_DEFAULTS.negativeDraws).toBe(LOCAL_TRAIN.sampledNegatives * LOCAL_TRAIN.epochs)
  })

  for (const items of [194, 43_097]) {
    it(`trains a ${items.toLocaleString('en-US')}-item catalogue with the federated simulation's schedule by default, moving only the rows it touched`, async () => {
      const model = globalModel(items)
      const { weights, examples, losses } = await trainLocal(model, [[3, 17, 3, 150], [17, 80, 123]])
      expect(examples).toBe(5)
      expect(losses).toHaveLength(LOCAL_TRAIN.epochs)
      const moved = movedRows(model.bundle.weights, weights, catalogueConfig(items, 0).dim, items + 1)
      // the sessions' 5 items and at most 64 negatives a step (2 steps)
      expect(moved).toBeGreaterThanOrEqual(5)
      expect(moved).toBeLessThanOrEqual(5 + LOCAL_TRAIN.sampledNegatives * LOCAL_TRAIN.epochs)
    })
  }

  it('picks a small catalogue\'s personal schedule by how well the global model explains the history, and fine-tunes a large one as an update', () => {
    expect(personalTrainOptions(194, 0.4)).toBe(PERSONAL_TRAIN)
    expect(personalTrainOptions(194, COLD_LOSS_RATIO)).toBe(PERSONAL_TRAIN_COLD)
    expect(personalTrainOptions(194, 1.6)).toBe(PERSONAL_TRAIN_COLD)
    expect(personalTrainOptions(194, Number.NaN)).toBe(PERSONAL_TRAIN)
    for (const o of [PERSONAL_TRAIN, PERSONAL_TRAIN_COLD]) expect(localTrainOptions(o).sampledNegatives).toBe(0)
    expect(PERSONAL_TRAIN_COLD.epochs * PERSONAL_TRAIN_COLD.learningRate).toBeGreaterThan(PERSONAL_TRAIN.epochs * PERSONAL_TRAIN.learningRate)
    expect(personalTrainOptions(PERSONAL_FULL_SOFTMAX_UP_TO + 1, 1.6)).toBe(LOCAL_TRAIN)
    expect(updateIsPersonal(globalModel(194))).toBe(false)
    expect(updateIsPersonal(globalModel(PERSONAL_FULL_SOFTMAX_UP_TO))).toBe(false)
    expect(updateIsPersonal(globalModel(43_097))).toBe(true)
  })

  const history = [[3, 17, 3, 150], [17, 80, 123]]

  for (const items of [194, 1_000]) {
    it(`fine-tunes a ${items.toLocaleString('en-US')}-item catalogue's model hard, over the full softmax, where the global model knows nothing of the history yet`, async () => {
      const model = globalModel(items)
      const { weights, losses, lossRatio } = await fineTunePersonal(model, history)
      // fresh weights: no better than a uniform guess (the cosine model's random logits, worse)
      expect(lossRatio).toBeGreaterThanOrEqual(COLD_LOSS_RATIO)
      expect(lossRatio).toBeLessThan(1.5)
      expect(losses).toHaveLength(PERSONAL_TRAIN_COLD.epochs)
      // the full softmax moves every item's row
      expect(movedRows(model.bundle.weights, weights, catalogueConfig(items, 0).dim, items + 1)).toBe(items)
    })
  }

  it('fine-tunes gently where the global model already explains the history', async () => {
    const fresh = globalModel(194)
    const taught = await trainLocal(fresh, history, PERSONAL_TRAIN_COLD)
    const model: GlobalModel = { ...fresh, bundle: { ...fresh.bundle, weights: taught.weights } }
    const { losses, lossRatio } = await fineTunePersonal(model, history)
    expect(lossRatio).toBeLessThan(COLD_LOSS_RATIO)
    expect(losses).toHaveLength(PERSONAL_TRAIN.epochs)
  })

  it('measures nothing for a large catalogue, whose personal model trains as an update', async () => {
    const { losses, lossRatio } = await fineTunePersonal(globalModel(43_097), history)
    expect(lossRatio).toBeNaN()
    expect(losses).toHaveLength(LOCAL_TRAIN.epochs)
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
      const moved = movedRows(model.bundle.weights, weights, d, itemTableRows(cfg))
      expect(moved).toBeGreaterThan(5)
      expect(moved).toBeLessThan(itemTableRows(cfg))
    })
  }
})
