/**
 * The protocol end to end in memory: masks cancel exactly, the unmasked sum is the plain sum of
 * exactly the clients whose masked input arrived, for random cohorts and dropouts at every step,
 * and a run either yields that sum or nothing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PayloadRejectedError } from '../errors.js'
import { SecAggAbortError, SecAggClient } from './client.js'
import { agreeKey, contextDigest, expandMask, KdfLabel } from './crypto.js'
import { shareThreshold } from './graph.js'
import { SecAggStep, type CohortParams } from './messages.js'
import { addWordsInPlace } from './quantize.js'
import { SecAggServer } from './server.js'
import { simulateCohort, type DropPoint } from './simulate.js'

const DROPS: DropPoint[] = [null, 'advertise_keys', 'share_keys', 'masked_input', 'unmask']
const STEPS = ['advertise_keys', 'share_keys', 'masked_input', 'unmask'] as const

const words = (p: number): fc.Arbitrary<Uint32Array> => fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: p, maxLength: p }).map((a) => Uint32Array.from(a))

function plainSum(inputs: readonly Uint32Array[], who: readonly number[], p: number): number[] {
  const acc = new Uint32Array(p)
  for (const i of who) addWordsInPlace(acc, inputs[i]!)
  return Array.from(acc)
}

/** Did client i take part in `step` (it drops before its drop point)? */
const took = (d: DropPoint, step: (typeof STEPS)[number]): boolean => d === null || STEPS.indexOf(step) < STEPS.indexOf(d)

/**
 * What a correct server must do with the complete graph: publish exactly U3's sum if every step
 * kept minSurvivors and each needed secret has a majority of live neighbours, else abandon.
 */
function expectedOutcome(drops: readonly DropPoint[], minSurvivors: number): { included: number[] } | null {
  const all = drops.map((_, i) => i)
  const u1 = all.filter((i) => took(drops[i]!, 'advertise_keys'))
  const u2 = all.filter((i) => took(drops[i]!, 'share_keys'))
  const u3 = all.filter((i) => took(drops[i]!, 'masked_input'))
  const u4 = all.filter((i) => took(drops[i]!, 'unmask'))
  if (drops.length < minSurvivors || u1.length < minSurvivors || u2.length < minSurvivors || u3.length < minSurvivors) return null
  // Complete graph over U1: each client has |U1| − 1 neighbours; threshold a strict majority.
  // A client needs at least that many neighbours that shared, or it aborts at the masked step.
  const t = shareThreshold(u1.length - 1)
  if (u2.length - 1 < t) return null
  const needed = u2.filter((v) => u3.includes(v) || u3.some((w) => w !== v))
  for (const v of needed) if (u4.filter((w) => w !== v).length < t) return null
  return { included: u3 }
}

describe('secure aggregation protocol', () => {
  it('pairwise masks cancel exactly: both ends derive one seed, added by one and subtracted by the other', async () => {
    const params: CohortParams = { context: 'cancel', vectorLength: 1000, minSurvivors: 2 }
    const clients = await Promise.all([0, 1, 2, 3].map((i) => SecAggClient.create(params, i)))
    const keys = clients.map((c) => c.advertise())
    const salt = await contextDigest(params.context)
    // Reach into nothing private: recompute each pair's seed from the advertised keys on a fresh
    // pair, and check the antisymmetric sum of all pair masks is zero word for word.
    const total = new Uint32Array(params.vectorLength)
    const server = new SecAggServer(params, { maxMembers: 4 })
    for (let i = 0; i < 4; i++) server.join()
    server.close()
    for (let i = 0; i < 4; i++) await server.receiveKeys(i, keys[i]!)
    server.close()
    const shares = await Promise.all(clients.map((c, i) => c.shareKeys(server.roster(i))))
    shares.forEach((s, i) => server.receiveShares(i, s))
    server.close()
    // All-zero inputs: the masked vectors are pure masks (self + pairs); the sum of the pair masks
    // is zero, so Σ y = Σ PRG(b_u), which the server removes after reconstructing each b_u.
    const zero = new Uint32Array(params.vectorLength)
    const ys = await Promise.all(clients.map((c, i) => c.maskInput(server.inbox(i), zero)))
    ys.forEach((y, i) => {
      addWordsInPlace(total, y)
      server.receiveMasked(i, y)
    })
    expect(total.some((w) => w !== 0)).toBe(true)
    server.close()
    clients.forEach((c, i) => server.receiveUnmask(i, c.unmask(server.survivors(i))))
    const { sum } = await server.finish()
    expect(sum.every((w) => w === 0)).toBe(true)
    // And a pair seed is the same from both ends (the agreement the cancellation rests on).
    const [k0, k1] = await Promise.all([crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']), crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])])
    const pk = async (k: CryptoKeyPair): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.exportKey('raw', k.publicKey))
    const s01 = await agreeKey(k0.privateKey, await pk(k1), salt, KdfLabel.PairMask)
    const s10 = await agreeKey(k1.privateKey, await pk(k0), salt, KdfLabel.PairMask)
    const m = await expandMask(s01, 16)
    const back = await expandMask(s10, 16)
    const acc = Uint32Array.from(m)
    for (let j = 0; j < acc.length; j++) acc[j] = (acc[j]! - back[j]!) >>> 0
    expect(acc.every((w) => w === 0)).toBe(true)
  })

  const outcomes = { abandoned: 0, publishedWhole: 0, publishedWithDropouts: 0 }
  it('yields the plain sum of exactly the clients whose masked input arrived, for random cohorts and dropouts at every step (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 9 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            p: fc.integer({ min: 1, max: 24 }),
            minSurvivors: fc.integer({ min: 2, max: n }),
            // Most clients stay; each of the others drops before one of the four steps.
            drops: fc.array(fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: fc.constantFrom(...DROPS.slice(1)), weight: 4 }), { minLength: n, maxLength: n }),
          }),
        ).chain((c) => fc.record({ c: fc.constant(c), inputs: fc.array(words(c.p), { minLength: c.n, maxLength: c.n }) })),
        async ({ c, inputs }) => {
          const params: CohortParams = { context: `prop-${c.n}-${c.p}`, vectorLength: c.p, minSurvivors: c.minSurvivors }
          const run = await simulateCohort(params, inputs, c.drops)
          const want = expectedOutcome(c.drops, c.minSurvivors)
          outcomes[want === null ? 'abandoned' : c.drops.some((d) => d !== null) ? 'publishedWithDropouts' : 'publishedWhole']++
          if (want === null) {
            expect(run.result, `abandoned: ${JSON.stringify(c.drops)}`).toBeNull()
            expect(run.abandonedBecause).toBeTruthy()
            return
          }
          expect(run.result, `published: ${run.abandonedBecause}`).not.toBeNull()
          expect(run.result!.included).toEqual(want.included)
          // Never half-applied: the sum is exactly that of the included inputs, and a dropped
          // client's input is not in it at all.
          expect(Array.from(run.result!.sum)).toEqual(plainSum(inputs, want.included, c.p))
        },
      ),
      { numRuns: 60 },
    )
    // The generator must exercise all three outcomes, or the property proves little.
    expect(outcomes.publishedWithDropouts).toBeGreaterThan(5)
    expect(outcomes.abandoned).toBeGreaterThan(0)
  }, 120_000)

  it('gives the same guarantee on a sparse SecAgg+ graph, or abandons (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 8, max: 14 }),
        fc.array(fc.constantFrom<DropPoint>(null, null, null, 'share_keys', 'masked_input', 'unmask'), { minLength: 14, maxLength: 14 }),
        async (n, dropsAll) => {
          const drops = dropsAll.slice(0, n)
          const p = 8
          const inputs = drops.map((_, i) => Uint32Array.from({ length: p }, (_, j) => (i * 1000 + j) >>> 0))
          const run = await simulateCohort({ context: `sparse-${n}`, vectorLength: p, minSurvivors: 4 }, inputs, drops, { degree: () => 4 })
          if (run.result === null) return
          const u3 = drops.flatMap((d, i) => (took(d, 'masked_input') ? [i] : []))
          // With a sparse graph a client may also abort when too few neighbours shared: it then
          // counts as dropped, and must not be in the sum.
          for (const i of run.result.included) expect(u3).toContain(i)
          expect(Array.from(run.result.sum)).toEqual(plainSum(inputs, run.result.included, p))
        },
      ),
      { numRuns: 25 },
    )
  }, 120_000)

  it('excludes a client that dropped after sharing and includes one that dropped after sending its input', async () => {
    const p = 5
    // 8 clients, 3 drop (one before each of the last three steps); each survivor keeps 4 of its
    // 7 neighbours, the majority threshold.
    const inputs = [10, 20, 30, 40, 50, 60, 70, 80].map((v) => new Uint32Array(p).fill(v))
    const run = await simulateCohort({ context: 'exact', vectorLength: p, minSurvivors: 3 }, inputs, [null, 'masked_input', null, 'unmask', null, 'share_keys', null, null])
    expect(run.result!.included).toEqual([0, 2, 3, 4, 6, 7])
    expect(run.result!.dropped).toEqual([1, 5])
    expect(Array.from(run.result!.sum)).toEqual(new Array(p).fill(10 + 30 + 40 + 50 + 70 + 80))
  })

  it('abandons below the threshold and then refuses every further message', async () => {
    const inputs = [1, 2, 3, 4].map((v) => new Uint32Array(3).fill(v))
    const run = await simulateCohort({ context: 'few', vectorLength: 3, minSurvivors: 3 }, inputs, [null, 'masked_input', 'masked_input', null])
    expect(run.result).toBeNull()
    expect(run.abandonedBecause).toMatch(/only 2 clients sent a masked input/)
    const s = new SecAggServer({ context: 'x', vectorLength: 3, minSurvivors: 2 }, { maxMembers: 3 })
    s.join()
    s.close()
    expect(s.step).toBe(SecAggStep.Abandoned)
    expect(() => s.receiveMasked(0, new Uint32Array(3))).toThrow(PayloadRejectedError)
  })

  it('refuses out-of-order, duplicate and misaddressed messages with a reason', async () => {
    const params: CohortParams = { context: 'strict', vectorLength: 2, minSurvivors: 2 }
    const s = new SecAggServer(params, { maxMembers: 3 })
    const cs = await Promise.all([0, 1, 2].map((i) => SecAggClient.create(params, i)))
    for (let i = 0; i < 3; i++) s.join()
    expect(s.join()).toBeNull()
    const reason = async (fn: () => unknown): Promise<string> => {
      try {
        await fn()
      } catch (e) {
        if (e instanceof PayloadRejectedError) return e.reason
        throw e
      }
      return 'accepted'
    }
    // Keys may come with the join, before the cohort is full.
    const k1 = cs[1]!.advertise()
    expect(await reason(() => s.receiveKeys(1, k1))).toBe('accepted')
    s.close()
    expect(await reason(() => s.receiveKeys(1, k1))).toBe('replay')
    expect(await reason(() => s.receiveKeys(2, k1))).toBe('replay')
    const stranger = await SecAggClient.create(params, 7)
    expect(await reason(() => s.receiveKeys(7, stranger.advertise()))).toBe('unknown_member')
    expect(await reason(() => s.receiveKeys(0, { encryptionKey: new Uint8Array(65), maskingKey: new Uint8Array(65) }))).toBe('malformed')
    const c0 = await SecAggClient.create(params, 0)
    expect(await reason(() => s.receiveKeys(0, c0.advertise()))).toBe('accepted')
    expect(await reason(() => s.receiveKeys(2, cs[2]!.advertise()))).toBe('accepted')
    s.close()
    const sk = await c0.shareKeys(s.roster(0))
    expect(await reason(() => s.receiveShares(0, { ...sk, shares: sk.shares.slice(1) }))).toBe('parameter_mismatch')
    expect(await reason(() => s.receiveShares(0, sk))).toBe('accepted')
    expect(await reason(() => s.receiveMasked(0, new Uint32Array(2)))).toBe('wrong_step')
    expect(await reason(() => s.receiveKeys(1, k1))).toBe('wrong_step')
  })

  it('a client refuses to reveal shares for a survivor list below the minimum, or twice', async () => {
    const params: CohortParams = { context: 'guard', vectorLength: 2, minSurvivors: 3 }
    const s = new SecAggServer(params, { maxMembers: 3 })
    const cs = await Promise.all([0, 1, 2].map((i) => SecAggClient.create(params, i)))
    for (let i = 0; i < 3; i++) s.join()
    s.close()
    for (let i = 0; i < 3; i++) await s.receiveKeys(i, cs[i]!.advertise())
    s.close()
    for (let i = 0; i < 3; i++) s.receiveShares(i, await cs[i]!.shareKeys(s.roster(i)))
    s.close()
    for (let i = 0; i < 3; i++) await cs[i]!.maskInput(s.inbox(i), new Uint32Array(2))
    expect(() => cs[0]!.unmask({ survivors: [0, 1] })).toThrow(SecAggAbortError)
    expect(() => cs[1]!.unmask({ survivors: [0, 2] })).toThrow(SecAggAbortError)
    cs[2]!.unmask({ survivors: [0, 1, 2] })
    expect(() => cs[2]!.unmask({ survivors: [0, 2, 1] })).toThrow(SecAggAbortError)
  })

  it('a client refuses a roster whose threshold is below a majority of its neighbours', async () => {
    const c = await SecAggClient.create({ context: 'r', vectorLength: 1, minSurvivors: 2 }, 0)
    c.advertise()
    const others = await Promise.all([1, 2, 3, 4].map((i) => SecAggClient.create({ context: 'r', vectorLength: 1, minSurvivors: 2 }, i)))
    const neighbours = others.map((o, k) => ({ index: k + 1, ...o.advertise() }))
    await expect(c.shareKeys({ threshold: 2, neighbours })).rejects.toThrow(SecAggAbortError)
  })
})
