/**
 * Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private Learning
 * with Adaptive Clipping", NeurIPS; arXiv:1905.03871): the clip norm tracks a target quantile of
 * the update norms, estimated privately from one noised bit per device, with the geometric update
 * C ← C·exp(−η_C·(b̄ − γ)). Defaults and the value-noise inflation follow TFF's
 * `DifferentiallyPrivateFactory.gaussian_adaptive` / `adaptive_clip_noise_params` and Flower's
 * `DifferentialPrivacy{Server,Client}SideAdaptiveClipping`.
 */
import { addGaussianNoise, cryptoRandomFill, type RandomFill } from './noise.js'
import { clientIndicatorNoiseStd, type AdaptiveClipRound, type NoiseParams } from './round-config.js'

/**
 * Defaults of TFF's `gaussian_adaptive` and Flower's adaptive-clipping strategies (both cite
 * Andrew et al.): start at C = 0.1, aim at the median, η_C = 0.2, σ_b = m/20 (m = expected
 * clients per round).
 * @example ADAPTIVE_CLIP_DEFAULTS.targetQuantile // 0.5
 */
export const ADAPTIVE_CLIP_DEFAULTS = {
  initialClipNorm: 0.1,
  targetQuantile: 0.5,
  learningRate: 0.2,
  /** σ_b per expected client: σ_b = 0.05 · m. */
  countNoisePerClient: 0.05,
} as const

/** What a deployment configures; everything but z and m has the defaults above. */
export interface AdaptiveClipSettings {
  /** z: the noise multiplier the accountant uses (values and bits together). */
  readonly noiseMultiplier: number
  /** m: expected clients per round (the fixed denominator). */
  readonly expectedClients: number
  readonly targetQuantile?: number
  readonly learningRate?: number
  /** σ_b; default 0.05·m. */
  readonly countNoiseStd?: number
}

/**
 * The round parameters of adaptive clipping. The clipped-count query has sensitivity ½ (each
 * device adds b − ½ ∈ {−½, ½}), so with noise σ_b it is a Gaussian mechanism of multiplier 2σ_b.
 * Composing it with the value query of multiplier z_Δ costs the same RDP as one Gaussian
 * mechanism with z⁻² = z_Δ⁻² + (2σ_b)⁻², hence z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2), and the
 * accountant can keep using z (TFF `adaptive_clip_noise_params`).
 * @throws RangeError when 2σ_b ≤ z (no z_Δ exists), or a parameter is out of range
 * @example adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 100 })
 * // { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 5, valueNoiseMultiplier: 1.0050… }
 */
export function adaptiveClipRound(s: AdaptiveClipSettings): AdaptiveClipRound {
  const z = s.noiseMultiplier
  const m = s.expectedClients
  const targetQuantile = s.targetQuantile ?? ADAPTIVE_CLIP_DEFAULTS.targetQuantile
  const learningRate = s.learningRate ?? ADAPTIVE_CLIP_DEFAULTS.learningRate
  if (!(z >= 0) || !Number.isFinite(z)) throw new RangeError(`noise multiplier must be a finite number ≥ 0, got ${z}`)
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`expected clients must be positive, got ${m}`)
  if (!(targetQuantile >= 0 && targetQuantile <= 1)) throw new RangeError(`target quantile must lie in [0, 1], got ${targetQuantile}`)
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`clip learning rate must be positive, got ${learningRate}`)
  // As in TFF: with z = 0 there is no privacy to keep, and the count is not noised either.
  const countNoiseStd = s.countNoiseStd ?? (z > 0 ? ADAPTIVE_CLIP_DEFAULTS.countNoisePerClient * m : 0)
  if (!(countNoiseStd >= 0) || !Number.isFinite(countNoiseStd)) throw new RangeError(`clipped-count noise std must be a finite number ≥ 0, got ${countNoiseStd}`)
  if (z === 0) return { targetQuantile, learningRate, countNoiseStd, valueNoiseMultiplier: 0 }
  if (z >= 2 * countNoiseStd) {
    throw new RangeError(
      `clipped-count noise std ${countNoiseStd} (default 0.05 × expected clients) is too low for noise multiplier ${z}: ` +
        `adaptive clipping needs 2σ_b > z; raise FEDREC_CLIP_COUNT_STDDEV or the expected clients, or lower z`,
    )
  }
  const valueNoiseMultiplier = (z ** -2 - (2 * countNoiseStd) ** -2) ** -0.5
  return { targetQuantile, learningRate, countNoiseStd, valueNoiseMultiplier }
}

/**
 * The device's clip bit, centred: +½ when its raw update norm is within C (not clipped), −½
 * otherwise (TF Privacy's `QuantileEstimatorQuery` counts `record <= estimate` the same way).
 * @example centredClipBit(0.3, 1) // 0.5
 */
export function centredClipBit(rawNorm: number, clipNorm: number): 0.5 | -0.5 {
  return rawNorm <= clipNorm ? 0.5 : -0.5
}

/**
 * What the device sends for the clip estimate: its centred bit plus N(0, s²), s the device's
 * share of σ_b (all of it in `local` mode), so each payload's bit is as private as its values.
 * @example noisedClipBit(rawNorm, round) // e.g. 0.5 + noise
 */
export function noisedClipBit(rawNorm: number, round: NoiseParams, fill: RandomFill = cryptoRandomFill): number {
  const v = Float32Array.of(centredClipBit(rawNorm, round.clipNorm))
  addGaussianNoise(v, clientIndicatorNoiseStd(round), fill)
  return v[0]!
}

/**
 * b̄: the noised fraction of the cohort whose update was not clipped, from the sum of the
 * devices' noised centred bits. Divides by the expected cohort m (not the turnout, which would
 * itself leak), adds back the ½ each device subtracted, and clamps to [0, 1] as TF Privacy does.
 * @example unclippedFraction(1.5, 3) // (1.5 / 3) + 0.5 = 1
 */
export function unclippedFraction(centredBitSum: number, expectedClients: number): number {
  if (!(expectedClients > 0)) throw new RangeError('expectedClients must be positive')
  return Math.min(1, Math.max(0, centredBitSum / expectedClients + 0.5))
}

/**
 * The geometric update of the clip norm (Andrew et al. 2021, Alg. 1 with the geometric rule):
 * C ← C·exp(−η_C·(b̄ − γ)). Too many unclipped updates (b̄ > γ) shrink C, too few grow it.
 * @example nextClipNorm(1, 0.9, { targetQuantile: 0.5, learningRate: 0.2 }) // exp(−0.08) ≈ 0.923
 */
export function nextClipNorm(clipNorm: number, fraction: number, p: Pick<AdaptiveClipRound, 'targetQuantile' | 'learningRate'>): number {
  return clipNorm * Math.exp(-p.learningRate * (fraction - p.targetQuantile))
}
