/**
 * FedSubAvg row scales on the edge worker over HTTP (aggregator/src/row-scale.ts): with a model
 * whose catalogue devices train with sampled negatives (2,500 items) and that publishes its
 * popularity, the edge's step divides each item row by the clients expected to touch it, from
 * that popularity alone; with noise on the round, the scales are capped so that no row's step
 * carries more noise than the tolerance (here: plain FedAvg).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyFedAvg, decodeUpdate, layoutSize, modelRowScales, ROW_SCALE_DEFAULTS, scaleRowsInPlace, type ModelBundle } from '../aggregator/src/index.js'
import { honestPayload } from '../aggregator/src/testing/payloads.js'
import { benchWranglerConfig } from '../scripts/bench/edge-load.js'
import { sessionConfig, syntheticModelBytes } from '../scripts/bench/synthetic.js'
import { EXACT_MODEL, REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, getRound, postUpdate } from './support/rounds.js'

const ITEMS = 2500
let dir: string
let config: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedrec-row-scale-'))
  mkdirSync(join(dir, 'public/model'), { recursive: true })
  writeFileSync(join(dir, 'public/model/initial.bin'), syntheticModelBytes(sessionConfig(ITEMS)))
  config = join(dir, 'wrangler.toml')
  writeFileSync(config, benchWranglerConfig(readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8'), join(REPO_ROOT, 'edge-worker/src/index.ts'), join(dir, 'public')))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs one round of two honest updates on a fresh edge; returns the model before, after, and the sum sent. */
async function oneRound(vars: Record<string, string>): Promise<{ before: ModelBundle; after: ModelBundle; sum: Float64Array }> {
  const edge: EdgeServer = await startEdge({
    config,
    vars: { FEDREC_MIN_CLIENTS: '2', FEDREC_EXPECTED_CLIENTS: '2', FEDREC_SERVER_LR: '1', FEDREC_CLIP_NORM: '1', FEDREC_UPDATE_ENCODING: 'float32', FEDREC_ROW_SUBSET: 'off', FEDREC_SAMPLE_RATE: '1', ...EXACT_MODEL, ...vars },
  })
  try {
    const r = await getRound(edge.url)
    const before = await getModel(edge.url)
    const sum = new Float64Array(layoutSize(before.description.layout))
    for (const seed of [11, 12]) {
      const { bytes } = honestPayload(r, before.description.layout, seed, { scale: 0.3 })
      decodeUpdate(bytes).data.forEach((x, j) => (sum[j] = sum[j]! + x))
      expect((await postUpdate(edge.url, bytes)).status).toBe(202)
    }
    const after = await getModel(edge.url)
    expect(after.version).toBe(before.version + 1)
    return { before, after, sum }
  } finally {
    await edge.stop()
  }
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

describe('edge row scales (FedSubAvg)', () => {
  it('scale each item row of a noiseless round by 1 / P(a device touches it), from the published popularity', async () => {
    const { before, after, sum } = await oneRound({ FEDREC_NOISE_MULTIPLIER: '0' })
    const rows = modelRowScales(before.description, ROW_SCALE_DEFAULTS)
    expect(rows, 'a 2,500-item model with popularity is scaled').not.toBeNull()
    // Popular rows near 1, the tail at the cap of what negatives alone leave untouched.
    expect(rows!.scales[1]!).toBeLessThan(1.5)
    expect(rows!.scales[ITEMS]!).toBeGreaterThan(1.1)
    const scaled = Float64Array.from(sum)
    scaleRowsInPlace(scaled, rows!.offset, rows!.width, rows!.scales)
    const want = applyFedAvg(before.weights, scaled, { expectedClients: 2, serverLearningRate: 1 })
    expect(maxDiff(want, after.weights)).toBeLessThan(1e-5)
    const plain = applyFedAvg(before.weights, sum, { expectedClients: 2, serverLearningRate: 1 })
    expect(maxDiff(plain, after.weights), 'the step is not plain FedAvg').toBeGreaterThan(1e-3)
  }, 120_000)

  it('fall back to plain FedAvg when the round’s noise would put more than the tolerance on a scaled row', async () => {
    // z = 1 in local mode: the sum of 2 carries std √2 a coordinate; 0.02 · 2 / √2 caps the scale at 1.
    const { before, after, sum } = await oneRound({ FEDREC_NOISE_MULTIPLIER: '1', FEDREC_NOISE_MODE: 'local' })
    const want = applyFedAvg(before.weights, sum, { expectedClients: 2, serverLearningRate: 1 })
    expect(maxDiff(want, after.weights)).toBeLessThan(1e-5)
  }, 120_000)
})
