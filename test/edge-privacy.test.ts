/**
 * The privacy options of the edge worker over HTTP: adaptive clipping moves C by the noised clip
 * bits exactly as Andrew et al.'s geometric rule says, FedAdam publishes exactly Reddi et al.'s
 * step, both keep their state through a crash of workerd, and GET /v1/privacy reports the
 * cumulative (ε, δ) that the accountant gives for the published rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  applyFedAdam,
  computeEpsilonForSteps,
  decodeUpdate,
  FEDADAM_DEFAULTS,
  type FedAdamState,
  type ModelBundle,
  type RoundConfig,
  type RoundLedgerEntry,
} from '../aggregator/src/index.js'
import { honestPayload } from '../aggregator/src/testing/payloads.js'
import { EXACT_MODEL, PLAIN_FEDAVG, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, getRound, postUpdate } from './support/rounds.js'

let edge: EdgeServer
const Q = 0.5
const Z = 1
const DELTA = 1e-5
const LR = 0.05

const round = (): Promise<RoundConfig> => getRound(edge.url)
const model = (): Promise<ModelBundle> => getModel(edge.url)
const post = (body: Uint8Array) => postUpdate(edge.url, body)
interface Privacy {
  rounds: RoundLedgerEntry[]
  current: RoundConfig
  model: { version: number; epsilon: number; delta: number; rounds: number }
  serverOptimizer: string
}
async function privacy(): Promise<Privacy> {
  return (await (await fetch(`${edge.url}v1/privacy`)).json()) as Privacy
}

/** Three devices take part in the open round; returns what the test needs to recompute the step. */
async function playRound(seed: number): Promise<{ r: RoundConfig; m: ModelBundle; sum: Float64Array; bits: number[] }> {
  const r = await round()
  const m = await model()
  const sum = new Float64Array(m.weights.length)
  const bits: number[] = []
  for (let i = 0; i < 3; i++) {
    // Raw deltas of norm ≈ 0.3·√(P/12) ≫ C: every device is clipped, so b̄ is low and C must grow.
    const { bytes } = honestPayload(r, m.description.layout, seed + 10 * i, { scale: 0.3 })
    const u = decodeUpdate(bytes)
    u.data.forEach((x, j) => (sum[j] = sum[j]! + x))
    bits.push(u.clipBit!.value)
    expect((await post(bytes)).status).toBe(202)
  }
  return { r, m, sum, bits }
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: '2',
      FEDREC_EXPECTED_CLIENTS: '3',
      FEDREC_SAMPLE_RATE: String(Q),
      FEDREC_NOISE_MULTIPLIER: String(Z),
      FEDREC_CLIP_NORM: '0.1',
      FEDREC_CLIP_QUANTILE: '0.5',
      FEDREC_CLIP_COUNT_STDDEV: '1.5',
      FEDREC_SERVER_OPTIMIZER: 'fedadam',
      ...EXACT_MODEL,
      ...PLAIN_FEDAVG,
      FEDREC_SERVER_LR: String(LR),
      FEDREC_TARGET_DELTA: String(DELTA),
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

describe('edge privacy options', () => {
  let adam: FedAdamState | null = null

  it('announces adaptive clipping with the inflated value noise, and refuses a payload without a clip bit', async () => {
    const r = await round()
    expect(r.clipNorm).toBe(0.1)
    expect(r.adaptiveClipping).toMatchObject({ targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 1.5 })
    expect(r.adaptiveClipping!.valueNoiseMultiplier).toBeCloseTo((Z ** -2 - 3 ** -2) ** -0.5, 12)
    const m = await model()
    const v1 = await post(honestPayload(r, m.description.layout, 1, { v1: true }).bytes)
    expect(v1).toMatchObject({ status: 422, json: { error: { reason: 'parameter_mismatch' } } })
    const silent = await post(honestPayload(r, m.description.layout, 2, { noise: false }).bytes)
    expect(silent.status).toBe(422)
  })

  it('publishes the FedAdam step and moves C by exp(−η_C(b̄ − γ)) from the noised bits', async () => {
    const { r, m, sum, bits } = await playRound(100)
    const next = await model()
    expect(next.version).toBe(m.version + 1)
    const want = applyFedAdam(m.weights, sum, { expectedClients: 3, serverLearningRate: LR, ...FEDADAM_DEFAULTS }, null)
    adam = want.state
    let maxErr = 0
    next.weights.forEach((x, i) => (maxErr = Math.max(maxErr, Math.abs(x - want.weights[i]!))))
    expect(maxErr).toBeLessThan(1e-5)
    const fraction = Math.min(1, Math.max(0, bits.reduce((a, b) => a + b, 0) / 3 + 0.5))
    const entry = (await privacy()).rounds.at(-1)!
    expect(entry).toMatchObject({ roundId: r.roundId, outcome: 'published', cohortSize: 3, serverOptimizer: 'fedadam', clipNorm: 0.1 })
    expect(entry.adaptiveClipping!.unclippedFraction).toBeCloseTo(fraction, 5)
    expect(entry.adaptiveClipping!.nextClipNorm).toBeCloseTo(0.1 * Math.exp(-0.2 * (fraction - 0.5)), 6)
    expect((await round()).clipNorm).toBeCloseTo(entry.adaptiveClipping!.nextClipNorm, 6)
  })

  it('keeps the clip estimate and the FedAdam moments through a crash', async () => {
    const before = await round()
    await edge.restart()
    const after = await round()
    expect(after).toEqual(before)
    const { m, sum } = await playRound(200)
    const next = await model()
    const want = applyFedAdam(m.weights, sum, { expectedClients: 3, serverLearningRate: LR, ...FEDADAM_DEFAULTS }, adam)
    let maxErr = 0
    next.weights.forEach((x, i) => (maxErr = Math.max(maxErr, Math.abs(x - want.weights[i]!))))
    expect(maxErr, 'the second step used the first step’s moments').toBeLessThan(1e-5)
    const fresh = applyFedAdam(m.weights, sum, { expectedClients: 3, serverLearningRate: LR, ...FEDADAM_DEFAULTS }, null)
    expect(Math.abs(next.weights[0]! - fresh.weights[0]!) + Math.abs(next.weights[1]! - fresh.weights[1]!)).toBeGreaterThan(0)
  })

  it('reports the cumulative (ε, δ) of every published model as the accountant computes it', async () => {
    const p = await privacy()
    const published = p.rounds.filter((e) => e.outcome === 'published')
    expect(published).toHaveLength(2)
    published.forEach((e, i) => {
      const want = computeEpsilonForSteps([{ q: Q, noiseMultiplier: Z, rounds: i + 1 }], DELTA).epsilon
      expect(e).toMatchObject({ sampleRate: Q, noiseMultiplier: Z, delta: DELTA })
      expect(e.epsilon).toBeCloseTo(want, 9)
    })
    expect(p.model).toMatchObject({ version: published.at(-1)!.publishedVersion, rounds: 2, delta: DELTA })
    expect(p.model.epsilon).toBeCloseTo(published.at(-1)!.epsilon!, 12)
    expect(p.serverOptimizer).toBe('fedadam')
  })
})
