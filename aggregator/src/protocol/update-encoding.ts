/**
 * How the values of an update travel (docs/PAYLOAD.md, format 3): float32, or blockwise int8 /
 * int4 with one float32 max-abs scale per block of {@link QUANT_BLOCK} values and unbiased
 * stochastic rounding. The device quantises AFTER clipping and noising, so quantisation is
 * post-processing of a DP release and costs no privacy (docs/PRIVACY.md). The edge dequantises to
 * float32 here and runs the same validation and sum as for float32 payloads.
 */
import { PayloadRejectedError, RejectReason } from '../errors.js'
import { cryptoRandomFill, type RandomFill } from '../noise.js'

/** The encodings a round may ask for. */
export const UpdateEncoding = {
  /** 4 bytes a value (format 2). */
  Float32: 'float32',
  /** 1 byte a value: codes −127..127 times the block's scale (format 3). */
  Int8: 'int8',
  /** ½ byte a value: codes −7..7 times the block's scale (format 3). */
  Int4: 'int4',
} as const
export type UpdateEncoding = (typeof UpdateEncoding)[keyof typeof UpdateEncoding]
/** The quantised encodings (format 3). */
export type QuantisedEncoding = Exclude<UpdateEncoding, 'float32'>

/**
 * Values per scale. Smaller blocks follow the local magnitude more closely (a block that holds a
 * few large coordinates, e.g. the rows of the items a shopper touched, coarsens only its own 255
 * neighbours); larger ones spend fewer bytes on scales. 256 costs 4/256 = 1.6 % of the int8 bytes
 * (3.1 % of int4), and for Gaussian-dominated values its max-abs is ≈ 2.9σ against ≈ 3.4σ at
 * 1024, i.e. ~35 % less rounding variance: at int4 the rounding adds 3.2 % to the noise variance
 * at 256 (measured, 245k values) against ≈ 4.4 % at 1024.
 */
export const QUANT_BLOCK = 256

/** Largest code magnitude: the symmetric range leaves −128 / −8 unused (a decoder refuses them). */
export const QUANT_LEVELS: Readonly<Record<QuantisedEncoding, number>> = { int8: 127, int4: 7 }

/** Wire code of each quantised encoding (format 3, byte 48). */
export const ENCODING_CODE: Readonly<Record<QuantisedEncoding, number>> = { int8: 1, int4: 2 }

/** A quantised vector as it travels: one scale per block, then the packed codes. */
export interface QuantisedValues {
  readonly scales: Float32Array
  /** int8: one two's-complement byte a value; int4: two nibbles a byte, even index in the low nibble. */
  readonly codes: Uint8Array
}

/** True for the encodings of format 3. */
export function isQuantised(e: UpdateEncoding | undefined): e is QuantisedEncoding {
  return e === UpdateEncoding.Int8 || e === UpdateEncoding.Int4
}

/**
 * The payload field for encoding `e`: `{ encoding }` when quantised, `{}` for float32; spread it
 * into the `UpdatePayload`.
 * @example encodeUpdate({ ...header, data: delta, ...encodingField(roundUpdateEncoding(round)) })
 */
export function encodingField(e: UpdateEncoding): { encoding?: QuantisedEncoding } {
  return isQuantised(e) ? { encoding: e } : {}
}

/** Number of blocks (and scales) for `n` values. */
export function blockCount(n: number, block = QUANT_BLOCK): number {
  return Math.ceil(n / block)
}

/** Bytes of the packed codes of `n` values. */
export function codeBytes(n: number, e: QuantisedEncoding): number {
  return e === UpdateEncoding.Int8 ? n : Math.ceil(n / 2)
}

/**
 * Bytes the values of an `n`-value update take on the wire in encoding `e` (scales included).
 * @example valueBytes(1000, 'int8') // 4·4 + 1000
 */
export function valueBytes(n: number, e: UpdateEncoding): number {
  return isQuantised(e) ? 4 * blockCount(n) + codeBytes(n, e) : 4 * n
}

/**
 * Quantises `x` blockwise: scale s = max|x_b| / L per block (rounded to float32), and each value
 * to one of the two neighbouring multiples of s, up with probability equal to its fractional
 * part, so E[code·s] = x exactly (up to the 2⁻³² resolution of the uniform). The uniforms come
 * from `fill` (the platform CSPRNG unless a test passes a seeded one).
 * @example const q = quantise(delta, 'int8') // q.scales.length === Math.ceil(delta.length / 256)
 */
export function quantise(x: Float32Array, e: QuantisedEncoding, fill: RandomFill = cryptoRandomFill): QuantisedValues {
  const L = QUANT_LEVELS[e]
  const n = x.length
  const scales = new Float32Array(blockCount(n))
  const codes = new Uint8Array(codeBytes(n, e))
  const u = new Uint32Array(QUANT_BLOCK)
  for (let b = 0; b < scales.length; b++) {
    const start = b * QUANT_BLOCK
    const end = Math.min(n, start + QUANT_BLOCK)
    let max = 0
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(x[i]!))
    const s = Math.fround(max / L)
    scales[b] = s
    if (s === 0) continue // all zero, or subnormal below 1e-43 (max / L underflows): codes stay 0
    fill(u)
    for (let i = start; i < end; i++) {
      const y = x[i]! / s
      const lo = Math.floor(y)
      // y − lo is the probability of rounding up: E[code] = lo + (y − lo) = y.
      let c = lo + (u[i - start]! < (y - lo) * 4294967296 ? 1 : 0)
      // |y| exceeds L only by float32 rounding of s (a relative 2⁻²⁴); clamp so the code fits.
      if (c > L) c = L
      else if (c < -L) c = -L
      if (e === UpdateEncoding.Int8) codes[i] = c & 0xff
      else codes[i >> 1] = codes[i >> 1]! | ((c & 0xf) << ((i & 1) << 2))
    }
  }
  return { scales, codes }
}

function malformed(message: string): never {
  throw new PayloadRejectedError(RejectReason.Malformed, message, 400)
}

/**
 * Float32 values of a quantised vector of `n` values: code × scale of its block. Refuses what an
 * honest encoder never writes, so every byte stays a documented number: a scale that is negative
 * (`malformed`) or not finite (`non_finite`), the unused code −128 / −8, a non-zero code in a
 * block of scale 0, a non-zero padding nibble.
 * @throws PayloadRejectedError
 * @example dequantise(q, 'int8', delta.length) // ≈ delta, each value within one step
 */
export function dequantise(q: QuantisedValues, e: QuantisedEncoding, n: number): Float32Array {
  if (q.scales.length !== blockCount(n) || q.codes.length !== codeBytes(n, e)) malformed(`${n} values need ${blockCount(n)} scales and ${codeBytes(n, e)} code bytes`)
  const L = QUANT_LEVELS[e]
  const out = new Float32Array(n)
  for (let b = 0; b < q.scales.length; b++) {
    const s = q.scales[b]!
    if (!Number.isFinite(s)) throw new PayloadRejectedError(RejectReason.NonFinite, `scale of block ${b} is ${s}; every scale must be finite`, 400)
    if (s < 0) malformed(`scale of block ${b} is ${s}; scales are max-abs values, never negative`)
    const end = Math.min(n, (b + 1) * QUANT_BLOCK)
    for (let i = b * QUANT_BLOCK; i < end; i++) {
      const c = e === UpdateEncoding.Int8 ? (q.codes[i]! << 24) >> 24 : ((q.codes[i >> 1]! >> ((i & 1) << 2)) << 28) >> 28
      if (c < -L) malformed(`value ${i} has code ${c}, outside −${L}..${L}`)
      if (s === 0 && c !== 0) malformed(`value ${i} has code ${c} in block ${b} of scale 0`)
      out[i] = c * s
    }
  }
  if (e === UpdateEncoding.Int4 && n % 2 === 1 && q.codes[q.codes.length - 1]! >> 4 !== 0) malformed('the padding nibble after the last int4 value must be 0')
  return out
}

/**
 * The most quantisation can move an honest update's L2 norm, in either direction: with
 * probability ≥ 1 − e^(−t²/2), ‖q(x) − x‖ ≤ √B·(C + σ√τ) / L, where B is the block length
 * (min(QUANT_BLOCK, P)), L the largest code, and τ = (K·(ln B + ½ ln 10) + t²/2) / 0.45 for the
 * K = ⌈P/B⌉ blocks.
 *
 * Derivation. x = Δ + g with ‖Δ‖ ≤ C (clipped) and g ~ N(0, σ²I_P). Block b holds n_b ≤ B values,
 * its scale is s_b = M_b / L with M_b = max_{i∈b} |x_i|, and stochastic rounding moves each value
 * by less than one step: |q_i − x_i| < s_b. So ‖q − x‖² < Σ_b n_b s_b² ≤ (B / L²)·Σ_b M_b².
 * Split M_b ≤ a_b + m_b, a_b = max_{i∈b} |Δ_i|, m_b = max_{i∈b} |g_i|; by Minkowski
 * √(Σ M_b²) ≤ √(Σ a_b²) + √(Σ m_b²), and Σ a_b² ≤ ‖Δ‖² ≤ C². For the noise, a Chernoff bound on
 * the sum of the blocks' squared maxima: e^(λ m_b²/σ²) ≤ Σ_{i∈b} e^(λ g_i²/σ²), whose mean is
 * n_b (1 − 2λ)^(−½); the blocks are independent, so
 * P(Σ m_b² ≥ σ²τ) ≤ exp(−λτ + K·(ln B − ½ ln(1 − 2λ))), which the τ above makes e^(−t²/2) at
 * λ = 0.45 (near the minimiser for large K: τ ≈ 14.9·K, i.e. a block maximum of ≈ 3.9σ on
 * average, where a plain union bound over all P values would allow ≈ 13σ). The float32 product
 * code·scale adds a relative 2⁻²⁴ per value, inside the 1e-6 slack of the norm bounds. This is
 * the worst case of the rounding, not its mean, so it is conservative: the typical ‖q − x‖ is
 * about √(Σ n_b s_b² / 6), several times smaller.
 * @example maxQuantisationShift('int8', 1, 0.1, 100_000) // ≈ 16·(1 + 0.1·√(391·14.9 + 160)) / 127 ≈ 1.1
 */
export function maxQuantisationShift(e: UpdateEncoding | undefined, clipNorm: number, noiseStd: number, dims: number, t = 12): number {
  if (!isQuantised(e)) return 0
  const block = Math.min(QUANT_BLOCK, Math.max(1, dims))
  const lambda = 0.45
  const tau = (blockCount(dims) * (Math.log(block) - 0.5 * Math.log(1 - 2 * lambda)) + (t * t) / 2) / lambda
  return (Math.sqrt(block) * (clipNorm + noiseStd * Math.sqrt(tau))) / QUANT_LEVELS[e]
}
