import { describe, expect, it } from 'vitest'
import { computeEpsilon, computeEpsilonForSteps, type RoundConfig } from '../../../aggregator/src/index.js'
import { KvKey, MemoryStore } from '../store/event-store.js'
import { DevicePrivacy } from './device-privacy.js'

const round = (roundId: number, over: Partial<RoundConfig> = {}): RoundConfig => ({
  roundId,
  modelVersion: roundId,
  clipNorm: 1,
  noiseMultiplier: 1.2,
  noiseMode: 'local',
  minClients: 4,
  expectedClients: 10,
  serverLearningRate: 1,
  sampleRate: 0.3,
  deadline: 0,
  adaptiveClipping: null,
  ...over,
})

/** Runs rounds through the gate like the worker: draw, and send when sampled. */
async function play(p: DevicePrivacy, rounds: RoundConfig[], sampled: (r: RoundConfig) => boolean = () => true): Promise<(string | null)[]> {
  const out: (string | null)[] = []
  for (const r of rounds) {
    const refusal = await p.gate(r)
    out.push(refusal?.reason ?? null)
    if (refusal) continue
    const s = sampled(r)
    await p.recordDraw(r, s)
    if (s) await p.recordSent(r, new Uint8Array(100 + r.roundId))
  }
  return out
}

describe('DevicePrivacy', () => {
  it('stops before the round that would take ε past the budget, says why, and keeps ε as the accountant computes it', async () => {
    const delta = 1e-6
    const e = (t: number) => computeEpsilon({ q: 0.3, noiseMultiplier: 1.2, rounds: t, delta }).epsilon
    const budget = { epsilon: (e(5) + e(6)) / 2, delta }
    const store = new MemoryStore()
    const p = new DevicePrivacy(store, { budget, participationCap: { max: 100, periodMs: 1000 } })
    // Not being sampled costs ε too (amplification counts every coin), so rounds 2 and 4 count.
    const results = await play(p, [1, 2, 3, 4, 5, 6, 7].map((i) => round(i)), (r) => r.roundId % 2 === 1)
    expect(results).toEqual([null, null, null, null, null, 'budget_exhausted', 'budget_exhausted'])
    const ledger = await p.ledger()
    expect(ledger.entries.map((x) => [x.roundId, x.sampled, x.bytes])).toEqual([[1, true, 101], [2, false, 0], [3, true, 103], [4, false, 0], [5, true, 105]])
    expect(ledger.epsilon).toBeCloseTo(e(5), 12)
    expect(ledger.epsilon!).toBeLessThanOrEqual(budget.epsilon)
    expect(ledger.stopped?.reason).toBe('budget_exhausted')
    expect(ledger.stopped?.detail).toMatch(/no longer contributes/)
    // Against the aggregator each of the 3 sent payloads is a Gaussian at z without sampling.
    expect(ledger.epsilonPerPayloads).toBeCloseTo(computeEpsilon({ q: 1, noiseMultiplier: 1.2, rounds: 3, delta }).epsilon, 12)
    // The ledger lives in the store: a new worker (page reload) sees the same.
    expect((await new DevicePrivacy(store, { budget }).ledger()).stopped?.reason).toBe('budget_exhausted')
    // A larger budget lets the device go on, and clears the stop.
    const more = new DevicePrivacy(store, { budget: { epsilon: 100, delta } })
    expect(await more.gate(round(8))).toBeNull()
    expect((await more.ledger()).stopped).toBeNull()
  })

  it('composes rounds with different (q, z) and the distributed payload share', async () => {
    const p = new DevicePrivacy(new MemoryStore())
    await play(p, [round(1), round(2, { sampleRate: 0.5, noiseMultiplier: 2, noiseMode: 'distributed' })])
    const l = await p.ledger()
    expect(l.delta).toBe(1e-6)
    expect(l.epsilon).toBeCloseTo(computeEpsilonForSteps([{ q: 0.3, noiseMultiplier: 1.2 }, { q: 0.5, noiseMultiplier: 2 }], 1e-6).epsilon, 12)
    expect(l.entries[1]!.payloadNoiseMultiplier).toBe(1) // 2/√4
    expect(l.epsilonPerPayloads).toBeCloseTo(computeEpsilonForSteps([{ q: 1, noiseMultiplier: 1.2 }, { q: 1, noiseMultiplier: 1 }], 1e-6).epsilon, 12)
  })

  it('refuses a round without noise under any budget', async () => {
    const p = new DevicePrivacy(new MemoryStore(), { budget: { epsilon: 1000, delta: 1e-6 } })
    expect((await p.gate(round(1, { noiseMultiplier: 0 })))?.reason).toBe('budget_exhausted')
  })

  it('caps participations per sliding period', async () => {
    let now = 1_000_000
    const hour = 3_600_000
    const p = new DevicePrivacy(new MemoryStore(), { participationCap: { max: 2, periodMs: hour } }, () => now)
    expect(await play(p, [round(1), round(2), round(3)])).toEqual([null, null, 'participation_cap'])
    expect((await p.ledger()).participationsInPeriod).toBe(2)
    now += hour / 2
    expect(await play(p, [round(4)])).toEqual(['participation_cap'])
    now += hour / 2 + 1
    expect(await play(p, [round(5)])).toEqual([null])
    // Rounds the coin skipped do not use the cap.
    expect(await play(p, [round(6), round(7)], () => false)).toEqual([null, null])
  })

  it('keeps the last N payloads with their round, byte for byte', async () => {
    const p = new DevicePrivacy(new MemoryStore(), { keepPayloads: 2 })
    await play(p, [round(1), round(2), round(3)])
    const sent = await p.sentPayloads()
    expect(sent.map((s) => [s.roundId, s.bytes.length])).toEqual([[2, 102], [3, 103]])
  })

  it('reads what the walking skeleton stored', async () => {
    const store = new MemoryStore()
    const body = new Uint8Array(60)
    new DataView(body.buffer).setUint32(12, 7, true)
    await store.set(KvKey.SentPayloads, [body])
    await store.set(KvKey.Ledger, [{ roundId: 7, modelVersion: 1, at: 5, sampleRate: 1, noiseMultiplier: 1, clipNorm: 1, noiseMode: 'local', bytes: 60 }])
    const p = new DevicePrivacy(store)
    expect((await p.sentPayloads())[0]).toMatchObject({ roundId: 7, bytes: body })
    expect((await p.ledger()).entries[0]).toMatchObject({ roundId: 7, sampled: true, payloadNoiseMultiplier: 1 })
  })

  it('refuses nonsense settings', () => {
    expect(() => new DevicePrivacy(new MemoryStore(), { budget: { epsilon: -1, delta: 1e-6 } })).toThrow(RangeError)
    expect(() => new DevicePrivacy(new MemoryStore(), { participationCap: { max: 1.5, periodMs: 1 } })).toThrow(RangeError)
  })
})
