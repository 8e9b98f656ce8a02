/**
 * Faults at the edge under `wrangler dev`: workerd killed (SIGKILL) while uploads are in flight,
 * a round that never reaches its minimum, and parallel submissions. Every update that got a 2xx
 * is counted exactly once, an abandoned round publishes nothing, and the Durable Object's
 * single-threaded execution keeps counts exact under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelBundle, RoundLedgerEntry } from '../aggregator/src/index.js'
import { EXACT_MODEL, PLAIN_FEDAVG, startEdge, type EdgeServer } from './support/edge.js'
import { deviceUpdate, getModel, getRound, postUpdate, reasonOf } from './support/rounds.js'

/** Max |w' − (w + η·ΣΔ/n)| over the weights. */
function fedAvgError(before: ModelBundle, after: ModelBundle, deltas: readonly Float32Array[], n: number, lr = 1): number {
  let maxErr = 0
  for (let i = 0; i < after.weights.length; i++) {
    let s = 0
    for (const d of deltas) s += d[i]!
    maxErr = Math.max(maxErr, Math.abs(after.weights[i]! - (before.weights[i]! + (lr * s) / n)))
  }
  return maxErr
}

describe('crash mid-round and concurrent submissions', () => {
  const COHORT = 12
  let edge: EdgeServer
  beforeAll(async () => {
    edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: String(COHORT), FEDREC_EXPECTED_CLIENTS: String(COHORT), FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_RATE_LIMIT: '100000', FEDREC_UPLOAD_RATE_LIMIT: '100000', ...EXACT_MODEL, ...PLAIN_FEDAVG } })
  })
  afterAll(async () => {
    await edge?.stop()
  })

  it('keeps every acknowledged update through a SIGKILL with uploads in flight, counts none twice, and completes the round', async () => {
    const r = await getRound(edge.url)
    const m = await getModel(edge.url)
    const updates = Array.from({ length: COHORT }, (_, i) => deviceUpdate(r, m, 500 + i))
    for (let i = 0; i < 4; i++) expect(await postUpdate(edge.url, updates[i]!.bytes)).toMatchObject({ status: 202, json: { received: i + 1 } })

    // Six uploads race the crash: workerd is killed as soon as the first of them is acknowledged,
    // while the others are in flight (answered, stored but unanswered, or never received).
    let firstAck: () => void = () => undefined
    const acknowledged = new Promise<void>((res) => (firstAck = res))
    const inFlight = updates.slice(4, 10).map((u) =>
      postUpdate(edge.url, u.bytes).then(
        (p) => (p.status === 202 && firstAck(), p.status),
        () => 'lost' as const,
      ),
    )
    await acknowledged
    await edge.restart()
    const raced = await Promise.all(inFlight)
    const acked = [0, 1, 2, 3, ...raced.flatMap((s, i) => (s === 202 ? [4 + i] : []))]
    console.info(`crash: in-flight uploads answered ${JSON.stringify(raced)}`)

    expect(await getRound(edge.url), 'the same round is open after the crash').toMatchObject({ roundId: r.roundId })
    // A device whose upload was lost retries it with the same bytes: acknowledged ones are
    // replays (already counted), lost ones are either counted now or were stored just before the crash.
    for (let i = 0; i < 10; i++) {
      const again = await postUpdate(edge.url, updates[i]!.bytes)
      if (acked.includes(i)) expect({ i, status: again.status, reason: reasonOf(again) }).toEqual({ i, status: 409, reason: 'replay' })
      else expect([202, 409], `retry of ${i}`).toContain(again.status)
    }
    expect(await postUpdate(edge.url, updates[10]!.bytes)).toMatchObject({ status: 202, json: { received: 11, published: null } })
    expect(await postUpdate(edge.url, updates[11]!.bytes)).toMatchObject({ status: 202, json: { received: 12, published: m.version + 1 } })
    const next = await getModel(edge.url)
    expect(next.version).toBe(m.version + 1)
    expect(fedAvgError(m, next, updates.map((u) => u.delta), COHORT)).toBeLessThan(1e-5)
  })

  it('counts parallel submissions exactly, and of two racing copies of one payload accepts exactly one', async () => {
    const r = await getRound(edge.url)
    const m = await getModel(edge.url)
    const updates = Array.from({ length: COHORT }, (_, i) => deviceUpdate(r, m, 900 + i))
    // Each payload is sent twice at once: 24 parallel requests.
    const answers = await Promise.all(updates.flatMap((u) => [postUpdate(edge.url, u.bytes), postUpdate(edge.url, u.bytes)]))
    const accepted = answers.filter((a) => a.status === 202)
    // The losing copy is a replay, or, once the 12th acceptance has closed the round, late.
    const refused = answers.filter((a) => a.status === 409 && ['replay', 'round_closed'].includes(reasonOf(a) ?? ''))
    expect(accepted).toHaveLength(COHORT)
    expect(refused).toHaveLength(COHORT)
    for (let i = 0; i < COHORT; i++) expect([answers[2 * i]!.status, answers[2 * i + 1]!.status].sort()).toEqual([202, 409])
    expect(accepted.map((a) => a.json.received as number).sort((a, b) => a - b), 'each count handed out once').toEqual(Array.from({ length: COHORT }, (_, i) => i + 1))
    expect(accepted.filter((a) => a.json.published === m.version + 1)).toHaveLength(1)
    const next = await getModel(edge.url)
    expect(fedAvgError(m, next, updates.map((u) => u.delta), COHORT)).toBeLessThan(1e-5)
  })
})

describe('checkpointed running sum', () => {
  const COHORT = 24
  let edge: EdgeServer
  beforeAll(async () => {
    edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: String(COHORT), FEDREC_EXPECTED_CLIENTS: String(COHORT), FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_RATE_LIMIT: '100000', FEDREC_UPLOAD_RATE_LIMIT: '100000', ...EXACT_MODEL, ...PLAIN_FEDAVG } })
  })
  afterAll(async () => {
    await edge?.stop()
  })

  it('rebuilds the round from its checkpoint plus the payloads stored after it, through a SIGKILL', async () => {
    const r = await getRound(edge.url)
    const m = await getModel(edge.url)
    const updates = Array.from({ length: COHORT }, (_, i) => deviceUpdate(r, m, 3000 + i))
    // One at a time, so each is its own batch: the 17th cannot stay a 17th loose payload
    // (MAX_LOOSE_PAYLOADS = 16) and folds all 17 into a checkpoint; 18–20 are stored after it.
    for (let i = 0; i < 20; i++) expect(await postUpdate(edge.url, updates[i]!.bytes)).toMatchObject({ status: 202, json: { received: i + 1 } })
    await edge.restart()
    for (const i of [0, 16, 19]) expect(reasonOf(await postUpdate(edge.url, updates[i]!.bytes)), `replay of ${i} after the crash`).toBe('replay')
    // Then a burst that is stored as one batch (or several): counted once each, and the round closes.
    const burst = await Promise.all(updates.slice(20).map((u) => postUpdate(edge.url, u.bytes)))
    expect(burst.map((b) => b.status)).toEqual([202, 202, 202, 202])
    expect(burst.map((b) => b.json.received as number).sort((a, b) => a - b)).toEqual([21, 22, 23, 24])
    const next = await getModel(edge.url)
    expect(next.version).toBe(m.version + 1)
    expect(fedAvgError(m, next, updates.map((u) => u.delta), COHORT)).toBeLessThan(1e-5)
  })
})

describe('round deadline', () => {
  const ROUND_SECONDS = 4
  let edge: EdgeServer
  beforeAll(async () => {
    edge = await startEdge({ vars: { FEDREC_ROUND_SECONDS: String(ROUND_SECONDS), FEDREC_MIN_CLIENTS: '2', FEDREC_EXPECTED_CLIENTS: '3', FEDREC_NOISE_MULTIPLIER: '0.1', ...EXACT_MODEL, ...PLAIN_FEDAVG } })
  })
  afterAll(async () => {
    await edge?.stop()
  })

  /** The open round, once it has at least `ms` left (waits out a round that is about to end). */
  async function freshRound(ms: number) {
    for (;;) {
      const r = await getRound(edge.url)
      if (r.deadline - Date.now() > ms) return r
      await new Promise((res) => setTimeout(res, 250))
    }
  }

  async function waitForRoundAfter(roundId: number): Promise<void> {
    const until = Date.now() + (ROUND_SECONDS + 20) * 1000
    while (Date.now() < until) {
      if ((await getRound(edge.url)).roundId > roundId) return
      await new Promise((res) => setTimeout(res, 250))
    }
    throw new Error(`round ${roundId} did not close by its deadline`)
  }

  it('closes a round below its minimum at the deadline without publishing, and refuses late updates for it', async () => {
    const r = await freshRound(2500)
    const m = await getModel(edge.url)
    const late = deviceUpdate(r, m, 2)
    expect((await postUpdate(edge.url, deviceUpdate(r, m, 1).bytes)).status).toBe(202)
    await waitForRoundAfter(r.roundId)
    expect(Date.now()).toBeGreaterThanOrEqual(r.deadline)

    const privacy = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: RoundLedgerEntry[] }
    expect(privacy.rounds.find((e) => e.roundId === r.roundId)).toMatchObject({ outcome: 'abandoned', cohortSize: 1, publishedVersion: null, fromVersion: m.version })
    expect((await getModel(edge.url)).version, 'nothing was published').toBe(m.version)
    const refused = await postUpdate(edge.url, late.bytes)
    expect({ status: refused.status, reason: reasonOf(refused) }).toEqual({ status: 409, reason: 'round_closed' })
  })

  it('publishes at the deadline when the minimum arrived but not the expected count', async () => {
    const r = await freshRound(2500)
    const m = await getModel(edge.url)
    const a = deviceUpdate(r, m, 11)
    const b = deviceUpdate(r, m, 12)
    for (const u of [a, b]) expect((await postUpdate(edge.url, u.bytes)).status).toBe(202)
    await waitForRoundAfter(r.roundId)
    const next = await getModel(edge.url)
    expect(next.version).toBe(m.version + 1)
    // Fixed denominator: w + η·(Δa + Δb)/n_expected with n_expected = 3.
    expect(fedAvgError(m, next, [a.delta, b.delta], 3)).toBeLessThan(1e-5)
  })
})
