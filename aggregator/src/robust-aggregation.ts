/**
 * Coordinate-wise robust aggregation for rounds where the server sees each update (local-noise
 * rounds, no secure aggregation): the trimmed mean and the median of Yin et al. 2018
 * ("Byzantine-robust distributed learning", ICML), as in Flower's FedTrimmedAvg / FedMedian and
 * TFF's robust aggregators. Each coordinate of the estimate lies between the smallest and the
 * largest honest value of that coordinate as long as fewer than the trimmed count (mean) or
 * than half (median) of the updates are adversarial.
 */

export const RobustAggregation = { None: 'none', TrimmedMean: 'trimmed-mean', Median: 'median' } as const
export type RobustAggregation = (typeof RobustAggregation)[keyof typeof RobustAggregation]

export interface RobustOptions {
  readonly mode: RobustAggregation
  /** Fraction β of updates dropped at each end per coordinate by the trimmed mean, 0 ≤ β < 0.5. */
  readonly trimFraction: number
}

function checkUpdates(updates: readonly Float32Array[]): number {
  const first = updates[0]
  if (!first) throw new RangeError('no updates to aggregate')
  for (const u of updates) if (u.length !== first.length) throw new RangeError('updates differ in length')
  return first.length
}

/**
 * Per coordinate: sort the n values, drop ⌊βn⌋ from each end, average the rest.
 * @example coordinateTrimmedMean([a, b, c, d, e], 0.2) // drops the smallest and largest per coordinate
 */
export function coordinateTrimmedMean(updates: readonly Float32Array[], trimFraction: number): Float64Array {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) throw new RangeError(`trim fraction must be in [0, 0.5), got ${trimFraction}`)
  const p = checkUpdates(updates)
  const n = updates.length
  const k = Math.floor(trimFraction * n)
  const col = new Float64Array(n)
  const out = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) col[i] = updates[i]![j]!
    col.sort()
    let s = 0
    for (let i = k; i < n - k; i++) s += col[i]!
    out[j] = s / (n - 2 * k)
  }
  return out
}

/**
 * Per coordinate median (the mean of the two middle values for even n).
 * @example coordinateMedian([Float32Array.of(1), Float32Array.of(100), Float32Array.of(2)]) // [2]
 */
export function coordinateMedian(updates: readonly Float32Array[]): Float64Array {
  const p = checkUpdates(updates)
  const n = updates.length
  const col = new Float64Array(n)
  const out = new Float64Array(p)
  const mid = n >> 1
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) col[i] = updates[i]![j]!
    col.sort()
    out[j] = n % 2 === 1 ? col[mid]! : (col[mid - 1]! + col[mid]!) / 2
  }
  return out
}

/**
 * The sum FedAvg divides by the expected cohort size, computed robustly: n × (robust estimate of
 * the mean update). With `none` it is the plain sum, so FedAvg is unchanged; otherwise an
 * outlier can move the estimate only within the range of the honest values.
 * @example applyFedAvg(global, robustSum(updates, { mode: 'median', trimFraction: 0.1 }), opts)
 */
export function robustSum(updates: readonly Float32Array[], opts: RobustOptions): Float64Array {
  const p = checkUpdates(updates)
  const n = updates.length
  if (opts.mode === RobustAggregation.None) {
    const s = new Float64Array(p)
    for (const u of updates) for (let j = 0; j < p; j++) s[j] = s[j]! + u[j]!
    return s
  }
  const est = opts.mode === RobustAggregation.Median ? coordinateMedian(updates) : coordinateTrimmedMean(updates, opts.trimFraction)
  for (let j = 0; j < p; j++) est[j] = est[j]! * n
  return est
}
