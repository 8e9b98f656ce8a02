/** Log-space arithmetic for the accountant: log-add, log(eˣ − 1) and a log-erfc that never underflows. */

/**
 * log(eˣ + eʸ) without overflow; -Infinity is the log of zero.
 * @example logAdd(Math.log(2), Math.log(3)) // ≈ Math.log(5)
 */
export function logAdd(x: number, y: number): number {
  const hi = Math.max(x, y)
  const lo = Math.min(x, y)
  if (lo === -Infinity) return hi
  return hi + Math.log1p(Math.exp(lo - hi))
}

/**
 * log(eˣ − 1) for x ≥ 0 (-Infinity at 0), keeping every digit for tiny x and never overflowing
 * for huge x.
 * @example logExpm1(1e-12) // ≈ Math.log(1e-12)
 */
export function logExpm1(x: number): number {
  // Past 40, log(eˣ − 1) = x + log(1 − e^−x) and e^−x < 5e-18 is below half an ulp of x.
  return x > 40 ? x : Math.log(Math.expm1(x))
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI)
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI)

/**
 * erf(x) for 0 ≤ x < 1.5 from the all-positive series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3···(2n+1)) (Abramowitz & Stegun 7.1.6): no
 * alternating signs, so every term adds digits instead of cancelling them.
 */
function erfSeries(x: number): number {
  const x2 = 2 * x * x
  let term = x
  let sum = x
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1)
    sum += term
    if (term < sum * 1e-17) break
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum
}

/**
 * log(√π · e^(x²) · erfc(x)) for x ≥ 1.5, from Laplace's continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) (A&S 7.1.14), evaluated with
 * the modified Lentz method: about 90 steps at x = 1.5, 30 at x = 3, a handful beyond 20.
 */
function logScaledErfcCf(x: number): number {
  const tiny = 1e-300
  let f = x
  let c = x
  let d = 0
  for (let k = 1; k < 500; k++) {
    const a = k / 2
    d = x + a * d
    d = d === 0 ? 1 / tiny : 1 / d
    c = x + a / c
    if (c === 0) c = tiny
    const step = c * d
    f *= step
    if (Math.abs(step - 1) < 1e-16) break
  }
  return -Math.log(f)
}

/**
 * log(erfc(x)) for every real x, to about 1e-15 relative, including far in the right tail where
 * erfc(x) itself underflows (x > 26): there it is −x² − log √π + log of a continued fraction.
 * The fractional-order series of Mironov, Talwar, Zhang 2019 (§3.3) multiplies huge
 * exponentials by tiny erfc values, so it has to be done in logs (dp_accounting uses scipy's
 * `log_ndtr` for the same reason).
 * @example logErfc(0) // 0
 * @example logErfc(30) // ≈ -903.974 (erfc(30) itself underflows)
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN
  if (x === Infinity) return -Infinity
  if (x === -Infinity) return Math.LN2
  // erfc(x) = 2 − erfc(−x) ∈ (1, 2] for x < 0: no digits lost.
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)))
  // Below 1.5, 1 − erf(x) keeps its digits (erfc(1.5) ≈ 0.034); above it the subtraction
  // would cancel, so the continued fraction takes over.
  if (x < 1.5) return Math.log1p(-erfSeries(x))
  return -x * x - LOG_SQRT_PI + logScaledErfcCf(x)
}
