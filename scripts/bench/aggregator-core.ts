/**
 * Bench section: the aggregator core alone in Node (decode + validate + sum of one update),
 * against a plain Float32Array copy of the same bytes in the same run: the memory-bandwidth
 * ceiling. Also the cost of each step and the memory an open round holds.
 */
import { decodeUpdate, RoundSum, validateUpdate, type UpdatePayload } from '../../aggregator/src/index.js'
import { modelLayout } from '../../sdk/src/model/config.js'
import type { Section } from './context.js'
import { median } from './stats.js'
import { benchRound, itemsForParams, paramsOf, sessionConfig, syntheticUpdates } from './synthetic.js'
import { verdict } from './table.js'

/** CPU seconds (user + system) this process has used. */
const cpuSeconds = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/**
 * Seconds per update of `step` over `payloads`, cycling through them for at least `minMs`:
 * wall-clock, and CPU time of this process (what a shard would pay on a machine of its own).
 */
function perUpdateTimes(payloads: readonly Uint8Array[], step: (bytes: Uint8Array, i: number) => void, minMs: number): { wall: number; cpu: number } {
  let n = 0
  const c0 = cpuSeconds()
  const t0 = performance.now()
  while (performance.now() - t0 < minMs) {
    for (let i = 0; i < payloads.length; i++, n++) step(payloads[i]!, n)
  }
  return { wall: (performance.now() - t0) / 1000 / n, cpu: (cpuSeconds() - c0) / n }
}

/** Wall-clock seconds per update (see {@link perUpdateTimes}). */
function perUpdate(payloads: readonly Uint8Array[], step: (bytes: Uint8Array, i: number) => void, minMs: number): number {
  return perUpdateTimes(payloads, step, minMs).wall
}

/** The core's work for one update, as the Durable Object does it. */
export function aggregateOne(bytes: Uint8Array, round: ReturnType<typeof benchRound>, layout: ReturnType<typeof modelLayout>, sum: RoundSum): void {
  const u = decodeUpdate(bytes)
  validateUpdate(u, round, layout)
  sum.add(u.data)
}

/** Offset of the float data in an encoded update: after the header and the shape table. */
export function dataOffset(bytes: Uint8Array, params: number): number {
  return bytes.length - 4 * params
}

export const aggregatorSection: Section = {
  name: 'aggregator',
  async run(ctx) {
    const cfg = sessionConfig(itemsForParams(100_000))
    const params = paramsOf(cfg)
    const layout = modelLayout(cfg)
    const round = benchRound()
    const payloads = syntheticUpdates(cfg, round, 16)
    const sum = new RoundSum(params)
    const copy = new Float32Array(params)
    const reps = ctx.quick ? 5 : 15
    const minMs = ctx.quick ? 150 : 400
    ctx.log(`aggregator core: ${params.toLocaleString('en-US')} params, ${reps} interleaved reps`)
    const core: number[] = []
    const coreCpu: number[] = []
    const memcpy: number[] = []
    const pairRatio: number[] = []
    // Interleaved, so a burst of load from other work hits both sides alike.
    for (let r = 0; r < reps; r++) {
      const t = perUpdateTimes(payloads, (b) => aggregateOne(b, round, layout, sum), minMs)
      const a = t.wall
      coreCpu.push(t.cpu)
      const m = perUpdate(payloads, (b) => copy.set(new Float32Array(b.buffer, b.byteOffset + dataOffset(b, params), params)), minMs)
      core.push(a)
      memcpy.push(m)
      pairRatio.push(m / a)
    }
    const decoded: UpdatePayload[] = payloads.map((b) => decodeUpdate(b))
    const decodeS = median(Array.from({ length: 3 }, () => perUpdate(payloads, (b) => void decodeUpdate(b), minMs)))
    const validateS = median(Array.from({ length: 3 }, () => perUpdate(payloads, (_, i) => validateUpdate(decoded[i % decoded.length]!, round, layout), minMs)))
    const addS = median(Array.from({ length: 3 }, () => perUpdate(payloads, (_, i) => sum.add(decoded[i % decoded.length]!.data), minMs)))

    const before = process.memoryUsage().arrayBuffers
    const openRound = new RoundSum(params)
    const roundBytes = process.memoryUsage().arrayBuffers - before
    openRound.add(decoded[0]!.data)

    const ups = 1 / median(core)
    const ratio = median(pairRatio)
    ctx.record('aggregator.params', params)
    ctx.record('aggregator.updates_per_s', ups)
    ctx.record('aggregator.updates_per_cpu_s', 1 / median(coreCpu))
    ctx.record('aggregator.memcpy_updates_per_s', 1 / median(memcpy))
    ctx.record('aggregator.vs_memcpy', ratio)
    ctx.record('aggregator.us_per_update.decode', decodeS * 1e6)
    ctx.record('aggregator.us_per_update.validate', validateS * 1e6)
    ctx.record('aggregator.us_per_update.sum', addS * 1e6)
    ctx.record('aggregator.round_memory_bytes', roundBytes)
    ctx.record('aggregator.memcpy_gb_per_s', (4 * params) / median(memcpy) / 1e9)
    const sec = 'aggregator core (Node)'
    ctx.rows.push({ section: sec, metric: 'updates/s (decode+validate+sum)', value: ups, unit: '/s', note: `${params.toLocaleString('en-US')} params, median of ${reps}; ${(1 / median(coreCpu)).toFixed(0)} per CPU-second` })
    ctx.rows.push({ section: sec, metric: 'Float32Array copy of same bytes', value: 1 / median(memcpy), unit: '/s', note: `${((4 * params) / median(memcpy) / 1e9).toFixed(1)} GB/s` })
    ctx.rows.push({ section: sec, metric: 'core vs copy', value: ratio, unit: '×', target: '≥ 0.5', verdict: verdict(ratio, 0.5, false), note: 'median of paired ratios' })
    ctx.rows.push({ section: sec, metric: 'µs/update: decode | validate | sum', value: `${(decodeS * 1e6).toFixed(0)} | ${(validateS * 1e6).toFixed(0)} | ${(addS * 1e6).toFixed(0)}`, unit: 'µs' })
    ctx.rows.push({ section: sec, metric: 'memory per open round', value: roundBytes, unit: 'B', note: 'float64 running sum (8 B/param)' })
  },
}
