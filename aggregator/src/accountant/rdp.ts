/** Rényi DP of one step of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019), in log space. */

import { logAdd, logErfc, logExpm1 } from './log-math.js'
import { checkNoiseMultiplier, checkOrder, checkSamplingRate } from './validate.js'

/**
 * Most terms the fractional-order series may take before the order is given up (RDP = +∞,
 * so it is never the best order and ε can only come out larger). dp_accounting stops at 1000;
 * the tail decays only polynomially, like i^−(α+2) (see {@link logAFractional}), so orders
 * below about 1.5 need more than that to reach the e^−30 cut-off, and we allow ten times as many.
 */
const MAX_FRACTIONAL_TERMS = 10_000

/** A term below e^−30 of the running total changes log A_α by less than 1e-13. */
const LOG_TERM_CUTOFF = 30

/**
 * log A_α for an integer order α ≥ 2 and 0 < q < 1, where (Mironov, Talwar, Zhang 2019,
 * "Rényi Differential Privacy of the Sampled Gaussian Mechanism", §3.3, integer α)
 *   A_α = Σ_{k=0}^{α} C(α,k) (1−q)^(α−k) q^k exp((k² − k)/(2σ²)).
 * dp_accounting's `_compute_log_a_int` log-adds these α + 1 terms. We use that the binomial
 * weights sum to 1, so A_α − 1 = Σ_{k≥2} C(α,k) (1−q)^(α−k) q^k · (e^((k²−k)/(2σ²)) − 1), a sum
 * of non-negative terms: same value, but with large σ (A_α ≈ 1 + 10⁻¹²) log A_α keeps its
 * digits instead of drowning in the rounding of 1 + tiny.
 */
export function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  const logK = logIntegers(alpha)
  // log C(α, k) by the recurrence C(α, k) = C(α, k − 1)·(α − k + 1)/k, from C(α, 1) = α; the
  // sum of exponentials is accumulated in one pass, rescaled whenever a larger term turns up.
  let logBinom = logK[alpha] ?? NaN
  let max = -Infinity
  let sum = 0
  for (let k = 2; k <= alpha; k++) {
    logBinom += (logK[alpha - k + 1] ?? NaN) - (logK[k] ?? NaN)
    const t = logBinom + k * logQ + (alpha - k) * log1mQ + logExpm1((k * k - k) / twoSigma2)
    if (t === -Infinity) continue // e^((k²−k)/(2σ²)) − 1 underflowed: σ beyond 1e150 or so
    if (t > max) {
      sum = sum * Math.exp(max - t) + 1
      max = t
    } else {
      sum += Math.exp(t - max)
    }
  }
  return logAdd(0, max + Math.log(sum))
}

/** log 0, log 1, …, log n, extended on demand and shared by every call. */
const logIntegerTable: number[] = [-Infinity]
function logIntegers(n: number): readonly number[] {
  for (let k = logIntegerTable.length; k <= n; k++) logIntegerTable.push(Math.log(k))
  return logIntegerTable
}

/**
 * log A_α for a fractional order α > 1 and 0 < q < 1, by the series of Mironov, Talwar, Zhang
 * 2019, §3.3 (fractional α), as dp_accounting's `_compute_log_a_frac` evaluates it
 * (python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant.py). Split the real line at
 * z0 = σ² log(1/q − 1) + ½, where q·μ1/μ0 = 1 − q, expand (1 − q + q·μ1/μ0)^α by the
 * generalised binomial theorem on each side, and integrate term by term:
 *   A_α,0 = Σ_i C(α,i) q^i (1−q)^(α−i) e^((i²−i)/(2σ²)) · ½ erfc((i − z0)/(√2 σ))
 *   A_α,1 = Σ_i C(α,i) q^(α−i) (1−q)^i e^((j²−j)/(2σ²)) · ½ erfc((z0 − j)/(√2 σ)),  j = α − i.
 * For i > α + 1 the coefficient C(α,i) alternates in sign; like dp_accounting (which takes
 * log|C| from `gammaln`) we add |C(α,i)|, an upper bound on A_α that needs no subtraction, so
 * rounding can never make the RDP come out too small.
 *
 * Past i ≈ α the terms decay only polynomially: e^((i²−i)/(2σ²)) · erfc((i − z0)/(√2 σ)) grows
 * like ((1−q)/q)^i, which cancels q^i (1−q)^−i, leaving |C(α,i)| ~ i^−(α+1). So we stop, as
 * dp_accounting does, once both terms are falling and below e^−30 of the total, and in
 * addition only past i > α, so that a dip in the positive head cannot end the sum early.
 * Returns +Infinity if that has not happened within {@link MAX_FRACTIONAL_TERMS} terms.
 */
export function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  const sqrt2Sigma = Math.SQRT2 * sigma
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5
  let logA0 = -Infinity
  let logA1 = -Infinity
  let last0 = -Infinity
  let last1 = -Infinity
  let logAbsBinom = 0 // log|C(α, 0)|
  for (let i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
    if (i > 0) logAbsBinom += Math.log(Math.abs(alpha - i + 1)) - Math.log(i)
    const j = alpha - i
    const s0 =
      logAbsBinom + i * logQ + j * log1mQ + (i * i - i) / twoSigma2 +
      logErfc((i - z0) / sqrt2Sigma) - Math.LN2
    const s1 =
      logAbsBinom + j * logQ + i * log1mQ + (j * j - j) / twoSigma2 +
      logErfc((z0 - j) / sqrt2Sigma) - Math.LN2
    logA0 = logAdd(logA0, s0)
    logA1 = logAdd(logA1, s1)
    const total = logAdd(logA0, logA1)
    if (i > alpha && s0 < last0 && s1 < last1 && Math.max(s0, s1) < total - LOG_TERM_CUTOFF) {
      return total
    }
    last0 = s0
    last1 = s1
  }
  return Infinity
}

/**
 * RDP ε(α) of ONE step of the Poisson-subsampled Gaussian mechanism: each record (here: each
 * device) takes part with probability q, the sum of contributions clipped to L2 norm C gets
 * N(0, (zC)²) noise. ε(α) = log(A_α)/(α − 1) (Mironov, Talwar, Zhang 2019, §3.3); q = 0 costs
 * nothing; q = 1 is the plain Gaussian mechanism, α/(2z²) (Mironov 2017, "Rényi Differential
 * Privacy", Table II); z = 0 releases the sum exactly, +∞. Integer orders use the exact
 * binomial sum, fractional ones the erfc series.
 * @example rdpSubsampledGaussian(0.01, 1.1, 8) // ≈ 0.000584
 * @example rdpSubsampledGaussian(1, 2, 3) // 3/8, the plain Gaussian mechanism
 */
export function rdpSubsampledGaussian(q: number, noiseMultiplier: number, order: number): number {
  checkSamplingRate(q)
  checkNoiseMultiplier(noiseMultiplier)
  checkOrder(order)
  if (q === 0) return 0
  if (noiseMultiplier === 0) return Infinity
  if (q === 1) return order / (2 * noiseMultiplier * noiseMultiplier)
  const logA = Number.isInteger(order)
    ? logAInteger(q, noiseMultiplier, order)
    : logAFractional(q, noiseMultiplier, order)
  // A_α ≥ 1 (Jensen); a rounding-level negative log A_α is clamped to RDP 0.
  return Math.max(0, logA) / (order - 1)
}
