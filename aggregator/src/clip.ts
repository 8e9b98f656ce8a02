/** L2 norm and norm clipping of flat update vectors (the sensitivity bound of DP-FedAvg). */

/**
 * Σ v[i]², in float64. Four independent accumulators let the CPU overlap the additions (one
 * accumulator waits out the latency of each add in turn). The result is finite exactly when
 * every value is: squares are never negative, and float32 squares cannot overflow a float64 sum.
 * @example sumOfSquares(new Float32Array([3, 4])) // 25
 */
export function sumOfSquares(v: ArrayLike<number>): number {
  let a = 0
  let b = 0
  let c = 0
  let d = 0
  const n = v.length
  let i = 0
  for (; i + 3 < n; i += 4) {
    const x0 = v[i]!
    const x1 = v[i + 1]!
    const x2 = v[i + 2]!
    const x3 = v[i + 3]!
    a += x0 * x0
    b += x1 * x1
    c += x2 * x2
    d += x3 * x3
  }
  for (; i < n; i++) {
    const x = v[i]!
    a += x * x
  }
  return a + b + (c + d)
}

/**
 * Euclidean norm, accumulated in float64 so a million float32 terms do not lose precision.
 * @example l2Norm(new Float32Array([3, 4])) // 5
 */
export function l2Norm(v: ArrayLike<number>): number {
  return Math.sqrt(sumOfSquares(v))
}

/**
 * Scales `v` in place so that its L2 norm is at most `clipNorm` (McMahan et al. 2018, DP-FedAvg,
 * flat clipping). The scale is computed in float64 and then shrunk by one float32 ulp so rounding
 * of the float32 result can never push the norm above the bound.
 * @returns the norm before clipping and the factor applied (1 when no clipping was needed)
 * @example
 * const v = new Float32Array([3, 4])
 * clipInPlace(v, 1) // { norm: 5, scale: 0.2 } and v ≈ [0.6, 0.8]
 */
export function clipInPlace(v: Float32Array, clipNorm: number): { norm: number; scale: number } {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) throw new RangeError(`clip norm must be a positive number, got ${clipNorm}`)
  const norm = l2Norm(v)
  if (norm <= clipNorm) return { norm, scale: 1 }
  const scale = (clipNorm / norm) * (1 - 2 ** -23)
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale
  return { norm, scale }
}
