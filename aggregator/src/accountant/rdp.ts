/** Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019), in log space. */

import { logAdd, logErfc, logSub } from './log-math.js'

/**
 * Above this many series terms the fractional-order expansion is declared divergent and the
 * order gets RDP = +∞ (it is then simply never the best order). The tail of the series decays
 * only polynomially, like i^−(α+2) (see {@link logAFractional}); for α ≥ 1.1 and the −30
 * cut-off that is at most about 2·10⁴ terms, so the cap is never reached in practice.
 */
const MAX_FRACTIONAL_TERMS = 200_000

/** Terms below e^−30 relative to A_α ≥ 1 change log A_α by less than 1e-13. */
const LOG_TERM_CUTOFF = -30

const logFactorials: number[] = [0]

/** log(n!) for an integer n ≥ 0, from a table grown on demand (exact sums of logs). */
function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1]! + Math.log(k))
  return logFactorials[n]!
}

/**
 * log A_α for an integer order α ≥ 2 and 0 < q < 1, where
 * A_α = Σ_{k=0}^{α} C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²))
 * is E_{x∼μ0}[(μ(x)/μ0(x))^α] with μ0 = N(0,σ²), μ = (1−q)·N(0,σ²) + q·N(1,σ²): Mironov,
 * Talwar, Zhang 2019, §3.3 (integer α). Every term is positive, so a log-sum-exp over the
 * α + 1 terms is exact up to rounding (as TF Privacy's `_compute_log_a_int`, but with one
 * rescaling instead of α + 1 pairwise log-adds).
 */
export function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  const logFactAlpha = logFactorial(alpha)
  const terms = new Float64Array(alpha + 1)
  let max = -Infinity
  for (let k = 0; k <= alpha; k++) {
    const logBinom = logFactAlpha - logFactorial(k) - logFactorial(alpha - k)
    const s = logBinom + k * logQ + (alpha - k) * log1mQ + (k * k - k) / twoSigma2
    terms[k] = s
    if (s > max) max = s
  }
  let sum = 0
  for (let k = 0; k <= alpha; k++) sum += Math.exp(terms[k]! - max)
  return max + Math.log(sum)
}

/**
 * log A_α for a fractional order α > 1 and 0 < q < 1, from the two convergent series of
 * Mironov, Talwar, Zhang 2019, §3.3 (fractional α). Split the real line at
 * z0 = σ² log(1/q − 1) + ½, where q·μ1/μ0 = 1 − q. On (−∞, z0] expand (1 − q + q·μ1/μ0)^α
 * by the generalised binomial theorem in powers of q·μ1/μ0 ≤ 1 − q, on [z0, ∞) in powers of
 * (1 − q)·μ0/μ1; each term integrates to a Gaussian moment times ½·erfc:
 *   A_α,0 = Σ_i C(α,i) q^i (1−q)^(α−i) e^((i²−i)/(2σ²)) · ½ erfc((i − z0)/(√2σ))
 *   A_α,1 = Σ_i C(α,i) q^(α−i) (1−q)^i e^((j²−j)/(2σ²)) · ½ erfc((z0 − j)/(√2σ)),  j = α − i
 * For i > α the generalised binomial C(α,i) alternates in sign; positive and negative terms are
 * summed apart and subtracted once at the end (A_α,0 and A_α,1 are integrals of positive
 * functions, so each difference is positive). This is the exact expansion of the paper and of
 * TF Privacy's `_compute_log_a_frac`; dp_accounting ≥ 0.4 adds |C(α,i)| instead, an upper
 * bound that is never smaller than this value.
 * Returns +Infinity if the series has not converged after {@link MAX_FRACTIONAL_TERMS} terms.
 */
export function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  const sqrt2Sigma = Math.SQRT2 * sigma
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5
  let pos0 = -Infinity
  let neg0 = -Infinity
  let pos1 = -Infinity
  let neg1 = -Infinity
  // log|C(α,i)| and its sign, by the recurrence C(α,i) = C(α,i−1)·(α − i + 1)/i.
  let logAbsCoef = 0
  let positive = true
  const total = (): number => logAdd(safeLogSub(pos0, neg0), safeLogSub(pos1, neg1))
  for (let i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
    if (i > 0) {
      const factor = alpha - i + 1
      if (factor === 0) return total() // integer α: every later coefficient is zero
      logAbsCoef += Math.log(Math.abs(factor)) - Math.log(i)
      if (factor < 0) positive = !positive
    }
    const j = alpha - i
    const logS0 =
      logAbsCoef + i * logQ + j * log1mQ + (i * i - i) / twoSigma2 +
      (logErfc((i - z0) / sqrt2Sigma) - Math.LN2)
    const logS1 =
      logAbsCoef + j * logQ + i * log1mQ + (j * j - j) / twoSigma2 +
      (logErfc((z0 - j) / sqrt2Sigma) - Math.LN2)
    if (positive) {
      pos0 = logAdd(pos0, logS0)
      pos1 = logAdd(pos1, logS1)
    } else {
      neg0 = logAdd(neg0, logS0)
      neg1 = logAdd(neg1, logS1)
    }
    // Stop only past the positive head of the series (i > α): there the terms are bounded by a
    // polynomially decaying envelope, so once both are below e^−30 the rest cannot matter.
    // (Stopping earlier, as TF Privacy may at i = 0 for large α, can miss the dominant terms.)
    if (i > alpha && Math.max(logS0, logS1) < LOG_TERM_CUTOFF) {
      return total()
    }
  }
  return Infinity
}

/** log(eˣ − eʸ), clamped at log(0) if rounding made the difference of two sums negative. */
function safeLogSub(x: number, y: number): number {
  return x > y ? logSub(x, y) : -Infinity
}

/**
 * RDP ε(α) of ONE step of the Poisson-subsampled Gaussian mechanism: each record is included
 * with probability q, the sum of clipped contributions (L2 sensitivity 1) gets N(0, z²) noise.
 * ε(α) = log(A_α)/(α − 1) (Mironov, Talwar, Zhang 2019, §3); q = 0 costs nothing, q = 1 is the
 * plain Gaussian mechanism, α/(2z²) (Mironov 2017, Table 2). Integer orders use the exact
 * binomial sum, fractional ones the erfc series.
 * @example rdpSubsampledGaussian(0.01, 1.1, 8) // ≈ 0.0018
 */
export function rdpSubsampledGaussian(q: number, noiseMultiplier: number, order: number): number {
  checkSampling(q, noiseMultiplier)
  if (!(order > 1)) throw new RangeError(`RDP order must be > 1, got ${order}`)
  if (q === 0) return 0
  if (noiseMultiplier === 0 || order === Infinity) return Infinity
  if (q === 1) return order / (2 * noiseMultiplier * noiseMultiplier)
  const logA = Number.isInteger(order)
    ? logAInteger(q, noiseMultiplier, order)
    : logAFractional(q, noiseMultiplier, order)
  // A_α ≥ 1 by Jensen; a rounding-level negative log A_α is clamped to RDP 0.
  return Math.max(0, logA) / (order - 1)
}

/**
 * RDP of `rounds` adaptive compositions of the subsampled Gaussian, one value per order:
 * RDP composes additively (Mironov 2017, Proposition 1), so this is rounds × the per-step RDP.
 * @example computeRdp(256 / 60000, 1.1, 14062, [2, 4, 8, 16])
 */
export function computeRdp(
  q: number,
  noiseMultiplier: number,
  rounds: number,
  orders: readonly number[],
): number[] {
  checkRounds(rounds)
  return orders.map((a) => {
    const perStep = rdpSubsampledGaussian(q, noiseMultiplier, a)
    return rounds === 0 ? 0 : rounds * perStep
  })
}

/** Throws a RangeError unless 0 ≤ q ≤ 1 and z ≥ 0 (both finite). */
export function checkSampling(q: number, noiseMultiplier: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate q must be in [0, 1], got ${q}`)
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) {
    throw new RangeError(`noise multiplier must be a finite number ≥ 0, got ${noiseMultiplier}`)
  }
}

/** Throws a RangeError unless rounds is an integer ≥ 0. */
export function checkRounds(rounds: number): void {
  if (!Number.isSafeInteger(rounds) || rounds < 0) {
    throw new RangeError(`rounds must be an integer ≥ 0, got ${rounds}`)
  }
}
