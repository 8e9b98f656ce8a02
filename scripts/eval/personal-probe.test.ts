import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { PERSONAL_TRAIN, PERSONAL_TRAIN_COLD } from '../../sdk/src/worker/local-training.js'
import { loadDataset, type TrainData } from './data.js'
import { probePersonal, type Pair } from './personal-probe.js'

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tiny')
let train: TrainData

beforeAll(async () => {
  await tf.setBackend('cpu')
  train = (await loadDataset(fixture)).train
})

/** The tiny fixture's most recent 10 % of sessions as cases, a small model, a short central training. */
const SMALL = { heldOutShare: 0.1, cases: 200, params: { dim: '8' }, epochs: 2 } as const

const counts = (p: Pair) => [p.global.result().cases, p.personal.result().cases]

describe('personal-probe', () => {
  it('reports the global model itself as the personal one when the fine-tune trains for 0 epochs', async () => {
    const r = await probePersonal(train, { ...SMALL, personalEpochs: 0 })
    expect(r.withHistory.global.result().cases).toBeGreaterThan(10)
    for (const p of [r.all, r.withHistory, ...r.byLoss]) expect(p.personal.result()).toEqual(p.global.result())
    expect([...r.schedulesUsed]).toEqual([[`0 epochs of ${PERSONAL_TRAIN.batchSize} at ${PERSONAL_TRAIN.learningRate}`, r.withHistory.global.result().cases]])
  })

  it("fine-tunes every case with a history on the SDK's schedule for it, and groups those cases by the global model's loss", async () => {
    const r = await probePersonal(train, SMALL)
    const withHistory = r.withHistory.global.result().cases
    expect(counts(r.withHistory)).toEqual([withHistory, withHistory])
    expect(r.all.global.result().cases).toBeGreaterThan(withHistory)
    expect(r.byLoss.reduce((n, p) => n + p.global.result().cases, 0)).toBe(withHistory)
    const sdk = new Set([PERSONAL_TRAIN, PERSONAL_TRAIN_COLD].map((o) => `${o.epochs} epochs of ${o.batchSize} at ${o.learningRate}`))
    expect([...r.schedulesUsed.keys()].every((k) => sdk.has(k))).toBe(true)
    expect([...r.schedulesUsed.values()].reduce((a, b) => a + b, 0)).toBe(withHistory)
    // the aisles are easy: both models rank most next items in their top 20 of 24
    expect(r.withHistory.personal.result().p20).toBeGreaterThan(50)
    expect(r.gate).toEqual({ gateable: 0, chosen: 0 })
  })

  it('keeps the global model wherever the gate leaves the personal one out', async () => {
    const r = await probePersonal(train, { ...SMALL, gate: 1 })
    expect(r.gate.gateable).toBeGreaterThan(0)
    expect(r.gate.chosen).toBeLessThanOrEqual(r.gate.gateable)
    expect(r.gate.gateable).toBeLessThanOrEqual(r.withHistory.global.result().cases)
  })
})
