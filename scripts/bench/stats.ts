/** Summary statistics for repeated measurements: medians and percentiles, never single runs. */

/** Values sorted ascending, as a new array. */
function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b)
}

/**
 * The p-th percentile (0..100) with linear interpolation between closest ranks (the "R-7"
 * definition numpy and spreadsheets use).
 * @example percentile([1, 2, 3, 4], 50) // 2.5
 */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new RangeError('percentile of no values')
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`)
  const s = sorted(xs)
  const h = ((s.length - 1) * p) / 100
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, s.length - 1)
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!)
}

/** @example median([3, 1, 2]) // 2 */
export function median(xs: readonly number[]): number {
  return percentile(xs, 50)
}

/** What a table cell reports about repeated runs. */
export interface Summary {
  readonly n: number
  readonly median: number
  readonly p95: number
  readonly min: number
  readonly max: number
}

/** @example summarize([5, 1, 3]) // { n: 3, median: 3, p95: 4.8, min: 1, max: 5 } */
export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs)
  if (s.length === 0) throw new RangeError('summary of no values')
  return { n: s.length, median: percentile(s, 50), p95: percentile(s, 95), min: s[0]!, max: s[s.length - 1]! }
}

/**
 * Runs `fn` `runs` times after `warmup` untimed runs and returns each run's milliseconds.
 * @example const ms = await timeRuns(5, () => work(), 1); median(ms)
 */
export async function timeRuns(runs: number, fn: () => unknown, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}
