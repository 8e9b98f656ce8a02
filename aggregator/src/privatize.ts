/** The client side of DP-FedAvg: clip the local delta, then add Gaussian noise. */
import { clipInPlace } from './clip.js'
import { addGaussianNoise, cryptoRandomFill, type RandomFill } from './noise.js'
import { clientNoiseStd, type RoundConfig } from './round-config.js'

/** What was done to a delta before it left the device (kept in the device's ledger). */
export interface PrivatizeReport {
  /** L2 norm of the raw delta, before clipping. Stays on the device. */
  readonly rawNorm: number
  /** Whether the delta was scaled down to the clip norm. */
  readonly clipped: boolean
  /** Std of the Gaussian noise added to every coordinate. */
  readonly noiseStd: number
}

/**
 * Clips `delta` in place to L2 norm C and adds N(0, σ²) per coordinate, σ from the round config.
 * @example
 * const report = privatizeInPlace(delta, round) // delta is now safe to send
 */
export function privatizeInPlace(
  delta: Float32Array,
  round: Pick<RoundConfig, 'clipNorm' | 'noiseMultiplier' | 'noiseMode' | 'minClients'>,
  fill: RandomFill = cryptoRandomFill,
): PrivatizeReport {
  const { norm, scale } = clipInPlace(delta, round.clipNorm)
  const noiseStd = clientNoiseStd(round)
  addGaussianNoise(delta, noiseStd, fill)
  return { rawNorm: norm, clipped: scale < 1, noiseStd }
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
