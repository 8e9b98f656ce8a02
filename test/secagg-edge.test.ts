/**
 * Secure aggregation through the real edge worker (`wrangler dev`, the cohort Durable Object),
 * with Node clients running the SDK's protocol driver: a cohort with a client that drops after
 * sharing its keys still publishes exactly the FedAvg of the others, the round ledger records the
 * cohort, plain updates are refused in a secure round, and bad protocol messages get a 4xx reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layoutSize, privatizeInPlace, scatterSubset, seededRandomFill, subsetRows, uploadLayout, type ModelBundle, type RoundConfig, type RoundLedgerEntry } from '../aggregator/src/index.js'
import { cohortScale } from '../aggregator/src/secagg/index.js'
import { runSecureAggregation, type ApiCall, type SecureRound } from '../sdk/src/worker/secure-aggregation.js'
import { seededDelta } from '../aggregator/src/testing/payloads.js'
import { EXACT_MODEL, PLAIN_FEDAVG, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, getRound } from './support/rounds.js'

let edge: EdgeServer
const COHORT = 5

const round = (): Promise<SecureRound> => getRound<SecureRound>(edge.url)
const model = (): Promise<ModelBundle> => getModel(edge.url)
const api: ApiCall = (path, init) => fetch(`${edge.url}${path}`, init)

/** An API that fails every request from the first one whose path ends with `from`: a closed tab. */
function closesTabAt(from: string): ApiCall {
  let closed = false
  return (path, init) => {
    if (closed || path.endsWith(from)) {
      closed = true
      return Promise.reject(new Error('tab closed'))
    }
    return api(path, init)
  }
}

/** The secure rounds the edges here run: distributed noise, a float32 model, plain FedAvg at η = 1, 4 clients. */
const SECURE_ROUND = {
  FEDREC_SECURE_AGGREGATION: 'on',
  ...EXACT_MODEL,
  ...PLAIN_FEDAVG,
  FEDREC_NOISE_MODE: 'distributed',
  FEDREC_NOISE_MULTIPLIER: '0.5',
  FEDREC_CLIP_NORM: '1',
  FEDREC_MIN_CLIENTS: '4',
  FEDREC_EXPECTED_CLIENTS: '4',
  // Several clients polling from one address.
  FEDREC_RATE_LIMIT: '100000',
} as const

function delta(r: RoundConfig, size: number, seed: number): Float32Array {
  const d = seededDelta(size, seed, 0.02)
  privatizeInPlace(d, r, seededRandomFill(seed + 100))
  return d
}

/** Σ of the deltas, per coordinate. */
function sumOf(deltas: readonly Float32Array[]): Float64Array {
  const sum = new Float64Array(deltas[0]!.length)
  for (const d of deltas) d.forEach((x, j) => (sum[j] = sum[j]! + x))
  return sum
}

/** Largest distance of the published weights from the FedAvg step w + Σ/n (η = 1). */
function worstFromStep(before: Float32Array, after: Float32Array, sum: ArrayLike<number>, n: number): number {
  let worst = 0
  for (let j = 0; j < before.length; j++) worst = Math.max(worst, Math.abs(after[j]! - Math.fround(before[j]! + sum[j]! / n)))
  return worst
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      ...SECURE_ROUND,
      FEDREC_SECAGG_COHORT_SIZE: String(COHORT),
      FEDREC_SECAGG_STEP_SECONDS: '4',
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

describe('secure aggregation on the edge', () => {
  it('announces the cohort settings and refuses plain updates in a secure round', async () => {
    const r = await round()
    expect(r.secureAggregation).toEqual({ cohortSize: COHORT, minSurvivors: 4, stepSeconds: 4, joinSeconds: 120 })
    const res = await fetch(`${edge.url}v1/updates`, { method: 'POST', body: new Uint8Array(64), headers: { 'content-type': 'application/octet-stream' } })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('parameter_mismatch')
  })

  it('refuses malformed protocol messages with a reason', async () => {
    const bad = async (path: string, body: string, type = 'application/json'): Promise<[number, string]> => {
      const res = await fetch(`${edge.url}${path}`, { method: 'POST', body, headers: { 'content-type': type } })
      return [res.status, ((await res.json()) as { error: { reason: string } }).error.reason]
    }
    expect(await bad('v1/secagg/join', '{"roundId":"x"}')).toEqual([400, 'malformed'])
    expect(await bad('v1/secagg/join', 'not json')).toEqual([400, 'malformed'])
    expect(await bad('v1/secagg/join', '{}', 'text/plain')).toEqual([415, 'bad_content_type'])
    expect(await bad('v1/secagg/join', JSON.stringify({ roundId: 999, vectorLength: 1 }))).toEqual([409, 'round_closed'])
    expect(await bad('v1/secagg/cohorts/nope/poll', '{}')).toEqual([404, 'not_found'])
    expect(await bad('v1/secagg/cohorts/r1.c0/poll', JSON.stringify({ token: 'AAAAAAAAAAAAAAAAAAAAAA', want: 'roster' }))).toEqual([409, 'unknown_member'])
    expect(await bad('v1/secagg/cohorts/r1.c0/keys', JSON.stringify({ token: 'short' }))).toEqual([400, 'malformed'])
  })

  it('publishes the FedAvg of exactly the clients that stayed, when one drops after sharing its keys', async () => {
    const r = await round()
    const m = await model()
    const deltas = [0, 1, 2, 3, 4].map((i) => delta(r, m.weights.length, 10 + i))
    const t0 = Date.now()
    const reports = await Promise.all(deltas.map((d, i) => runSecureAggregation(i === 2 ? closesTabAt('/masked') : api, r, d, { pollMs: 200 })))
    const wallMs = Date.now() - t0
    console.info(`[secagg-edge] cohort of ${COHORT}, one dropout: ${wallMs} ms; bytes sent per client ${reports.map((x) => x.bytesSent).join(', ')}`)
    expect(reports[2]!.status).toBe('abandoned')
    for (const i of [0, 1, 3, 4]) expect(reports[i], JSON.stringify(reports[i])).toMatchObject({ status: 'delivered', included: 4, published: m.version + 1 })

    const next = await model()
    expect(next.version).toBe(m.version + 1)
    // w' = w + η·Σ_{included} Δ / n_expected, up to the quantisation grid (one step per client).
    const scale = cohortScale(r)
    expect(worstFromStep(m.weights, next.weights, sumOf([0, 1, 3, 4].map((i) => deltas[i]!)), 4)).toBeLessThan(4 / scale / 4 + 1e-6)
    // The dropped client's delta is not in it: adding it would move weights far beyond the grid.
    const withDropped = m.weights.map((w, j) => w + (deltas[0]![j]! + deltas[1]![j]! + deltas[2]![j]! + deltas[3]![j]! + deltas[4]![j]!) / 4)
    expect(Math.max(...next.weights.map((w, j) => Math.abs(w - withDropped[j]!)))).toBeGreaterThan(1e-4)

    const privacy = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: RoundLedgerEntry[] }
    const entry = privacy.rounds.find((e) => e.roundId === r.roundId)!
    expect(entry).toMatchObject({ outcome: 'published', cohortSize: 4, noiseMode: 'distributed', noiseMultiplier: 0.5 })
    expect(entry.secureAggregation).toMatchObject({ cohortSize: COHORT, minSurvivors: 4, cohorts: [{ included: 4, dropped: 1 }], worstCaseNoiseMultiplier: 0.5, smallestCohortNoiseMultiplier: 0.5 })
    expect(entry.epsilon).toBeGreaterThan(0)
  })
})

describe('secure aggregation across a crash of the edge', () => {
  let crashing: EdgeServer
  beforeAll(async () => {
    crashing = await startEdge({
      vars: {
        ...SECURE_ROUND,
        FEDREC_SECAGG_COHORT_SIZE: '4',
        // Long enough that the restart does not run a step out.
        FEDREC_SECAGG_STEP_SECONDS: '90',
      },
    })
  })
  afterAll(async () => {
    await crashing?.stop()
  })

  it('replays the cohort from its log after workerd is killed mid-protocol and publishes the same sum', async () => {
    const base = crashing.url
    const r = await getRound<SecureRound>(base)
    const m = await getModel(base)
    const deltas = [0, 1, 2, 3].map((i) => delta(r, m.weights.length, 40 + i))
    let restarted: Promise<void> | null = null
    const plain: ApiCall = (path, init) => fetch(`${base}${path}`, init)
    // Client 0's masked input arrives only after workerd was SIGKILLed and started again: the
    // others' inputs, shares and keys were acknowledged before, and must survive in storage.
    const crashBeforeMasked: ApiCall = async (path, init) => {
      if (path.endsWith('/masked') && !restarted) {
        await new Promise((res) => setTimeout(res, 1500))
        restarted = crashing.restart()
        await restarted
      }
      return plain(path, init)
    }
    const reports = await Promise.all(deltas.map((d, i) => runSecureAggregation(i === 0 ? crashBeforeMasked : plain, r, d, { pollMs: 300 })))
    expect(restarted).not.toBeNull()
    for (const rep of reports) expect(rep, JSON.stringify(rep)).toMatchObject({ status: 'delivered', included: 4 })
    const next = await getModel(base)
    expect(next.version).toBe(m.version + 1)
    expect(worstFromStep(m.weights, next.weights, sumOf(deltas), 4)).toBeLessThan(1 / cohortScale(r) + 1e-6)
  })
})

describe('secure aggregation in row-subset rounds', () => {
  let subsetEdge: EdgeServer
  beforeAll(async () => {
    // A 4,000-byte budget: the demo model's whole update does not fit, so rounds name their rows.
    subsetEdge = await startEdge({ vars: { ...SECURE_ROUND, FEDREC_SECAGG_COHORT_SIZE: '4', FEDREC_SECAGG_STEP_SECONDS: '10', FEDREC_UPLOAD_BUDGET_BYTES: '4000' } })
  })
  afterAll(async () => {
    await subsetEdge?.stop()
  })

  it('masks and sums only the round’s rows, refuses a whole-model vector, and leaves the other rows alone', async () => {
    const base = subsetEdge.url
    const r = await getRound<SecureRound>(base)
    const m = await getModel(base)
    expect(r.rowSubset).toMatchObject({ tensor: 'item_emb', windowStart: 0 })
    const layout = m.description.layout
    const size = layoutSize(uploadLayout(layout, r.rowSubset))
    const join = await fetch(`${base}v1/secagg/join`, { method: 'POST', body: JSON.stringify({ roundId: r.roundId, vectorLength: m.weights.length }), headers: { 'content-type': 'application/json' } })
    expect(join.status).toBe(422)
    expect(JSON.stringify(await join.json())).toContain(`the round's rows of the model have ${size} parameters`)

    const deltas = [0, 1, 2, 3].map((i) => delta(r, size, 70 + i))
    const plain: ApiCall = (path, init) => fetch(`${base}${path}`, init)
    const reports = await Promise.all(deltas.map((d) => runSecureAggregation(plain, r, d, { pollMs: 200 })))
    for (const rep of reports) expect(rep, JSON.stringify(rep)).toMatchObject({ status: 'delivered', included: 4 })
    const next = await getModel(base)
    const step = scatterSubset(sumOf(deltas), layout, r.rowSubset)
    expect(worstFromStep(m.weights, next.weights, step, 4)).toBeLessThan(1 / cohortScale(r) + 1e-6)
    const width = layout[0]!.shape[1]!
    const trained = new Set(subsetRows(layout[0]!.shape[0]!, r.rowSubset!))
    for (let row = 0; row < layout[0]!.shape[0]!; row++) {
      if (!trained.has(row)) expect(next.weights.subarray(row * width, (row + 1) * width)).toEqual(m.weights.subarray(row * width, (row + 1) * width))
    }
  })
})
