/** L2 norm and norm clipping of flat update vectors (the sensitivity bound of DP-FedAvg). */

/**
 * Euclidean norm, accumulated in float64 so a million float32 terms do not lose precision.
 * @example l2Norm(new Float32Array([3, 4])) // 5
 */
export function l2Norm(v: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!
    s += x * x
  }
  return Math.sqrt(s)
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
