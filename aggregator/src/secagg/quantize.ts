/**
 * Fixed-point encoding of a clipped, noised update for summation modulo 2^32: scale, stochastic
 * rounding to integers, two's complement words. The scale leaves enough headroom that the sum of
 * a whole cohort cannot wrap around (docs/SECAGG.md, "Wrap-around bound").
 */
import { cryptoRandomFill, type RandomFill } from '../noise.js'

/** Masked values and their sums live in Z_{2^32}. */
export const MODULUS_BITS = 32
/** Largest magnitude a signed sum may reach: it is decoded from the word as an int32. */
const SIGNED_LIMIT = 2 ** (MODULUS_BITS - 1) - 1
/**
 * Tail factor of the noise bound: the cohort's summed noise on one coordinate exceeds τ·σ·√n
 * with probability 2Φ(−τ) ≈ 3.6e−33 at τ = 12, so even a million coordinates wrap with
 * probability below 1e−26.
 */
export const NOISE_TAIL = 12
/** Coarsest grid we accept: below 2^8 steps per unit the rounding noise would swamp the update. */
const MIN_SCALE_LOG2 = 8

/** What fixes the encoding; every client of a cohort and the server compute the same scale. */
export interface QuantizationParams {
  /** Most clients whose inputs can be summed (the cohort size). */
  readonly cohortSize: number
  /** L2 clip norm C: every coordinate of a clipped update is at most C in magnitude. */
  readonly clipNorm: number
  /** Std of the Gaussian noise each client adds per coordinate. */
  readonly noiseStd: number
}

/**
 * The scale s = 2^k (grid steps per unit) of a cohort: the largest power of two with
 * s·(n·C + τ·σ·√n) + n ≤ 2^31 − 1. Each coordinate of each clipped update is at most C, the n
 * noises sum to N(0, nσ²), and stochastic rounding moves each client's value by less than one
 * step, so every partial sum of at most n inputs stays inside the int32 range and the sum modulo
 * 2^32 decodes exactly. A power of two keeps the scaling exact in floating point.
 * @throws RangeError when the cohort is so large that fewer than 2^8 steps per unit remain
 * @example quantizationScale({ cohortSize: 10, clipNorm: 1, noiseStd: 0.03 }) // 2^27
 */
export function quantizationScale(p: QuantizationParams): number {
  const { cohortSize: n, clipNorm: c, noiseStd: sigma } = p
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`cohort size ${n} must be a positive integer`)
  if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`clip norm ${c} must be a positive number`)
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`noise std ${sigma} must be a finite number ≥ 0`)
  const range = n * c + NOISE_TAIL * sigma * Math.sqrt(n)
  const k = Math.floor(Math.log2((SIGNED_LIMIT - n) / range))
  if (!(k >= MIN_SCALE_LOG2)) throw new RangeError(`a cohort of ${n} with C=${c}, σ=${sigma} leaves fewer than 2^${MIN_SCALE_LOG2} steps per unit in ${MODULUS_BITS} bits`)
  // Guard against log2 rounding up at an exact power of two.
  return range * 2 ** k + n <= SIGNED_LIMIT ? 2 ** k : 2 ** (k - 1)
}

/**
 * Encodes x as words: ⌊s·x⌋ or ⌊s·x⌋ + 1, the latter with probability s·x − ⌊s·x⌋ (stochastic
 * rounding, unbiased: E[q] = s·x), then two's complement modulo 2^32. The random source must be
 * cryptographic: the rounding bits are part of what the masked sum hides.
 * @throws RangeError when a scaled value leaves the int32 range (the update was not clipped)
 * @example const words = quantize(noisedDelta, quantizationScale(params))
 */
export function quantize(x: Float32Array, scale: number, fill: RandomFill = cryptoRandomFill): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(x.length)
  const coins = new Uint32Array(Math.min(x.length, 16384))
  for (let off = 0; off < x.length; off += coins.length) {
    const n = Math.min(coins.length, x.length - off)
    fill(coins.subarray(0, n))
    for (let i = 0; i < n; i++) {
      const y = x[off + i]! * scale
      const lo = Math.floor(y)
      const q = lo + (coins[i]! < (y - lo) * 2 ** 32 ? 1 : 0)
      if (!(Math.abs(q) <= SIGNED_LIMIT)) throw new RangeError(`value ${x[off + i]} at ${off + i} is outside the quantisation range`)
      out[off + i] = q >>> 0
    }
  }
  return out
}

/**
 * Decodes a sum of quantised vectors (words modulo 2^32) back to reals: each word as an int32,
 * divided by the scale. Exact as long as the true integer sum stayed within ±(2^31 − 1), which
 * {@link quantizationScale} guarantees for up to `cohortSize` inputs.
 * @example const sum = dequantizeSum(unmasked, scale) // Float64Array
 */
export function dequantizeSum(words: Uint32Array, scale: number): Float64Array {
  const out = new Float64Array(words.length)
  for (let i = 0; i < words.length; i++) out[i] = (words[i]! | 0) / scale
  return out
}

/** a ← a + b modulo 2^32, in place. */
export function addWordsInPlace(a: Uint32Array, b: Uint32Array): void {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`)
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! + b[i]!) >>> 0
}

/** a ← a − b modulo 2^32, in place. */
export function subtractWordsInPlace(a: Uint32Array, b: Uint32Array): void {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`)
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! - b[i]!) >>> 0
}
