/**
 * Bench section: secure aggregation (docs/SECAGG.md). One client's time and bytes for cohorts of
 * 10, 100 and 1,000 and models of 10k, 100k and 1M parameters (its real work: keys, Shamir
 * shares, sealing, opening, mask expansion, unmasking shares), and the server's unmasking time
 * with 0 %, 10 % and 30 % of the cohort dropped before its masked input. Server runs are measured
 * end to end where they fit the machine; the others are computed from unit costs measured in the
 * same run (one mask expansion of P words, one Shamir reconstruction, one key agreement) and the
 * protocol's exact mask counts, and are marked "estimated".
 */
import {
  AdvertiseKeysJson,
  agreeKey,
  combineShares,
  contextDigest,
  encodeMaskedInput,
  expandMask,
  generateAgreementKey,
  KdfLabel,
  neighbourDegree,
  SecAggClient,
  shareThreshold,
  ShareKeysJson,
  simulateCohort,
  splitSecret,
  subtractWordsInPlace,
  toB64,
  UnmaskSharesJson,
  type CohortParams,
  type DropPoint,
} from '../../aggregator/src/secagg/index.js'
import type { Section } from './context.js'
import { median } from './stats.js'

const COHORTS = [10, 100, 1000] as const
const DROPOUTS = [0, 0.1, 0.3] as const

function randomWords(n: number): Uint32Array {
  const w = new Uint32Array(n)
  for (let off = 0; off < n; off += 16384) crypto.getRandomValues(w.subarray(off, Math.min(n, off + 16384)))
  return w
}

/**
 * One client's complete protocol work with k = neighbourDegree(n) neighbours, timed; the
 * neighbours' own work (only what this client receives from them) is prepared untimed.
 */
export async function clientCost(n: number, p: number): Promise<{ ms: number; bytes: number; degree: number }> {
  const k = neighbourDegree(n)
  const params: CohortParams = { context: `bench/${n}/${p}`, vectorLength: p, minSurvivors: 2 }
  const token = toB64(crypto.getRandomValues(new Uint8Array(16)))
  const peers = await Promise.all(Array.from({ length: k }, (_, j) => SecAggClient.create(params, j + 1)))
  const peerKeys = peers.map((c) => c.advertise())
  const input = randomWords(p)
  const t0 = performance.now()
  const me = await SecAggClient.create(params, 0)
  const keys = me.advertise()
  const roster = { threshold: shareThreshold(k), neighbours: peerKeys.map((kk, j) => ({ index: j + 1, ...kk })) }
  const shares = await me.shareKeys(roster)
  const t1 = performance.now()
  // Untimed: each neighbour seals its bundle for this client (a roster of just this client).
  const inbox = {
    shares: await Promise.all(
      peers.map(async (c, j) => {
        const s = await c.shareKeys({ threshold: 1, neighbours: [{ index: 0, ...keys }] })
        return { from: j + 1, sealed: s.shares[0]!.sealed }
      }),
    ),
  }
  const t2 = performance.now()
  const masked = await me.maskInput(inbox, input)
  const unmask = me.unmask({ survivors: [0, ...peerKeys.map((_, j) => j + 1)] })
  const ms = t1 - t0 + (performance.now() - t2)
  const json = (v: object): number => new TextEncoder().encode(JSON.stringify({ token, ...v })).length
  const bytes = json({ roundId: 1, vectorLength: p }) + json(AdvertiseKeysJson.encode(keys)) + json(ShareKeysJson.encode(shares)) + encodeMaskedInput(token, masked).length + json(UnmaskSharesJson.encode(unmask))
  return { ms, bytes, degree: k }
}

/** Unit costs on this machine: one mask of p words expanded and subtracted; one reconstruction; one agreement. */
async function unitCosts(p: number, threshold: number): Promise<{ maskMs: number; shamirMs: number; agreeMs: number }> {
  const seed = crypto.getRandomValues(new Uint8Array(32))
  const acc = new Uint32Array(p)
  const maskRuns: number[] = []
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now()
    subtractWordsInPlace(acc, await expandMask(seed, p))
    maskRuns.push(performance.now() - t0)
  }
  const shares = splitSecret(seed, threshold, Array.from({ length: threshold }, (_, i) => i + 1))
  const shamirRuns: number[] = []
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now()
    combineShares(shares, threshold, 32)
    shamirRuns.push(performance.now() - t0)
  }
  const [a, b] = await Promise.all([generateAgreementKey(), generateAgreementKey()])
  const salt = await contextDigest('bench')
  const agreeRuns: number[] = []
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now()
    await agreeKey(a.privateKey, b.publicKey, salt, KdfLabel.PairMask)
    agreeRuns.push(performance.now() - t0)
  }
  return { maskMs: median(maskRuns), shamirMs: median(shamirRuns), agreeMs: median(agreeRuns) }
}

/**
 * Server unmasking work for n clients, a fraction `drop` of them gone after sharing (before the
 * masked input): one self mask per survivor, one pair mask per (dropout, surviving neighbour),
 * one reconstruction per survivor and per dropout, one agreement per pair mask.
 * @example unmaskEstimate(1000, 0.3, { maskMs: 3, shamirMs: 1, agreeMs: 0.2 })
 */
export function unmaskEstimate(n: number, drop: number, u: { readonly maskMs: number; readonly shamirMs: number; readonly agreeMs: number }): number {
  const k = neighbourDegree(n)
  const dropped = Math.round(n * drop)
  const survivors = n - dropped
  const pairMasks = dropped * Math.round(k * (survivors / Math.max(1, n - 1)))
  return (survivors + pairMasks) * u.maskMs + (survivors + dropped) * u.shamirMs + pairMasks * u.agreeMs
}

export const secaggSection: Section = {
  name: 'secagg',
  async run(ctx) {
    const sizes = ctx.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]
    for (const n of COHORTS) {
      for (const p of sizes) {
        const c = await clientCost(n, p)
        ctx.log(`secagg: client, cohort ${n} (k = ${c.degree}), ${p} params: ${c.ms.toFixed(0)} ms, ${c.bytes} bytes`)
        ctx.record(`secagg.client_ms.n${n}.p${p}`, c.ms)
        ctx.record(`secagg.client_bytes.n${n}.p${p}`, c.bytes)
        ctx.rows.push({ section: 'secagg client', metric: `cohort ${n} (k ${c.degree}) × ${p.toLocaleString('en-US')} params`, value: c.ms, unit: 'ms', note: `${(c.bytes / 1024).toFixed(0)} KiB sent, ${((c.bytes / (4 * p) - 1) * 100).toFixed(1)} % over the masked vector` })
      }
    }
    // Measured end to end: the whole protocol in memory, timing the server's unmasking only.
    const measured: [number, number][] = ctx.quick ? [[10, 10_000]] : [[10, 10_000], [10, 100_000], [100, 10_000]]
    for (const [n, p] of measured) {
      for (const drop of DROPOUTS) {
        const dropped = Math.round(n * drop)
        const drops: DropPoint[] = Array.from({ length: n }, (_, i) => (i < dropped ? 'masked_input' : null))
        const run = await simulateCohort({ context: `bench-server/${n}/${p}/${drop}`, vectorLength: p, minSurvivors: 2 }, Array.from({ length: n }, () => randomWords(p)), drops)
        if (run.unmaskMs === null) throw new Error(`bench cohort ${n} with ${dropped} dropouts was abandoned: ${run.abandonedBecause}`)
        ctx.log(`secagg: server unmask, cohort ${n}, ${p} params, ${drop * 100} % dropped: ${run.unmaskMs.toFixed(0)} ms (measured)`)
        ctx.record(`secagg.unmask_ms.n${n}.p${p}.drop${drop * 100}`, run.unmaskMs)
        ctx.rows.push({ section: 'secagg server', metric: `unmask ${n} × ${p.toLocaleString('en-US')}, ${drop * 100} % dropped`, value: run.unmaskMs, unit: 'ms', note: 'measured' })
      }
    }
    for (const p of sizes) {
      for (const n of COHORTS) {
        // Reconstruction cost grows with the threshold t = ⌊k/2⌋ + 1 of this cohort's degree.
        const u = await unitCosts(p, shareThreshold(neighbourDegree(n)))
        ctx.record(`secagg.unit.mask_ms.p${p}`, u.maskMs)
        for (const drop of DROPOUTS) {
          if (measured.some(([mn, mp]) => mn === n && mp === p)) continue
          const est = unmaskEstimate(n, drop, u)
          ctx.record(`secagg.unmask_est_ms.n${n}.p${p}.drop${drop * 100}`, est)
          ctx.rows.push({ section: 'secagg server', metric: `unmask ${n} × ${p.toLocaleString('en-US')}, ${drop * 100} % dropped`, value: est, unit: 'ms', note: `estimated: masks × ${u.maskMs.toFixed(2)} ms + reconstructions` })
        }
      }
    }
  },
}
