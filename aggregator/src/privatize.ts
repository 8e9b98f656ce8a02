/** The client side of DP-FedAvg: clip the local delta, then add Gaussian noise. */
import { noisedClipBit } from './adaptive-clip.js'
import { clipInPlace } from './clip.js'
import { addGaussianNoise, cryptoRandomFill, type RandomFill } from './noise.js'
import type { ClipBitField } from './protocol/update-codec.js'
import { maxQuantisationShift, type UpdateEncoding } from './protocol/update-encoding.js'
import { clientNoiseStd, type NoiseParams } from './round-config.js'

/** What was done to a delta before it left the device (kept in the device's ledger). */
export interface PrivatizeReport {
  /** L2 norm of the raw delta, before clipping. Stays on the device. */
  readonly rawNorm: number
  /** Whether the delta was scaled down to the clip norm. */
  readonly clipped: boolean
  /** Std of the Gaussian noise added to every coordinate. */
  readonly noiseStd: number
  /**
   * Adaptive clipping only: the noised centred clip bit to send (see `adaptive-clip.ts`);
   * null when the round clips at a fixed norm.
   */
  readonly clipBit: number | null
}

/**
 * Clips `delta` in place to L2 norm C and adds N(0, σ²) per coordinate, σ from the round config.
 * With adaptive clipping it also draws the noised clip bit from the raw norm.
 * @example
 * const report = privatizeInPlace(delta, round) // delta is now safe to send
 */
export function privatizeInPlace(delta: Float32Array, round: NoiseParams, fill: RandomFill = cryptoRandomFill): PrivatizeReport {
  const { norm, scale } = clipInPlace(delta, round.clipNorm)
  const noiseStd = clientNoiseStd(round)
  addGaussianNoise(delta, noiseStd, fill)
  const clipBit = round.adaptiveClipping ? noisedClipBit(norm, round, fill) : null
  return { rawNorm: norm, clipped: scale < 1, noiseStd, clipBit }
}

/**
 * The payload's clip-bit field for a privatized delta: `{ clipBit }` when the round clips
 * adaptively, `{}` otherwise; spread it into the `UpdatePayload`.
 * @example encodeUpdate({ ...header, data: delta, ...clipBitField(round, report) })
 */
export function clipBitField(round: Pick<NoiseParams, 'adaptiveClipping'>, report: Pick<PrivatizeReport, 'clipBit'>): { clipBit?: ClipBitField } {
  return round.adaptiveClipping && report.clipBit !== null ? { clipBit: { countNoiseStd: round.adaptiveClipping.countNoiseStd, value: report.clipBit } } : {}
}

/**
 * Largest L2 norm an honest update can have: C plus a tail bound on the norm of the noise. For
 * g ~ N(0, σ²I_P), P(‖g‖ ≥ σ(√P + t)) ≤ exp(−t²/2) (Gaussian concentration of Lipschitz
 * functions; Vershynin, High-Dimensional Probability, Thm 3.1.1). t = 12 makes a false
 * rejection rarer than 1e-31.
 * @example maxHonestNorm(1, 0.5, 10000) // ≈ 1 + 0.5 * (100 + 12)
 */
export function maxHonestNorm(clipNorm: number, noiseStd: number, dims: number, t = 12): number {
  return clipNorm * (1 + 1e-6) + noiseStd * (Math.sqrt(dims) + t)
}

/**
 * Smallest L2 norm an honest update can have: ‖Δ + g‖ ≥ ‖g‖ − C, and the noise norm rarely
 * falls far below its mean: E‖g‖ ≥ σP/√(P+1) (ratio of Gamma functions) and
 * P(‖g‖ ≤ E‖g‖ − σt) ≤ exp(−t²/2) (same concentration as above). A payload below this was not
 * noised as it claims. 0 when the bound says nothing (little noise, few dims).
 * @example minHonestNorm(1, 0.5, 10000) // ≈ 0.5 * (99.995 − 12) − 1 ≈ 43
 */
export function minHonestNorm(clipNorm: number, noiseStd: number, dims: number, t = 12): number {
  return Math.max(0, noiseStd * (dims / Math.sqrt(dims + 1) - t) - clipNorm * (1 + 1e-6))
}

/**
 * The norms an honest update can have once it is on the wire: {@link maxHonestNorm} and
 * {@link minHonestNorm} widened by the most int8 / int4 rounding can move the norm
 * (`maxQuantisationShift`, update-encoding.ts, derivation there); unchanged for float32.
 * @example honestNormRange(1, 0.5, 10000, 'int8') // { max: ≈ 56 + shift, min: ≈ 43 − shift }
 */
export function honestNormRange(clipNorm: number, noiseStd: number, dims: number, encoding?: UpdateEncoding): { readonly max: number; readonly min: number } {
  const shift = maxQuantisationShift(encoding, clipNorm, noiseStd, dims)
  return { max: maxHonestNorm(clipNorm, noiseStd, dims) + shift, min: Math.max(0, minHonestNorm(clipNorm, noiseStd, dims) - shift) }
}

/**
 * Largest |value| an honest noised clip bit can have: ½ plus t standard deviations of its noise
 * (P(|g| ≥ st) ≤ 2·exp(−t²/2)).
 * @example maxHonestClipBit(0.15) // 0.5 + 1.8
 */
export function maxHonestClipBit(bitNoiseStd: number, t = 12): number {
  return 0.5 * (1 + 1e-6) + bitNoiseStd * t
}
