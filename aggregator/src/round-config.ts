/** The parameters a server announces for a round; both ends read them from here. */
import type { UpdateEncoding } from './protocol/update-encoding.js'
import type { RowSubsetRound } from './row-subset.js'

/** How the client's noise is calibrated (see docs/PRIVACY.md for the trust model of each). */
export const NoiseMode = {
  /** Each payload alone carries noise z·C: every payload is DP on its own. */
  Local: 'local',
  /** Each client adds its share so that the sum over at least `minClients` carries noise z·C. */
  Distributed: 'distributed',
} as const
export type NoiseMode = (typeof NoiseMode)[keyof typeof NoiseMode]

/** What GET /v1/round announces. */
export interface RoundConfig {
  /** Id of the open round; an update names the round it was computed for. */
  readonly roundId: number
  /** Version of the global model the round starts from. */
  readonly modelVersion: number
  /** L2 clip norm C of a client's update. */
  readonly clipNorm: number
  /** Noise multiplier z: noise std on the aggregate is z·C. */
  readonly noiseMultiplier: number
  readonly noiseMode: NoiseMode
  /** Fewest accepted updates with which a round may publish. */
  readonly minClients: number
  /** Expected cohort size: the fixed FedAvg denominator, and the count that closes the round. */
  readonly expectedClients: number
  /** Server learning rate applied to the averaged delta. */
  readonly serverLearningRate: number
  /** Probability with which each device decides to take part in a round. */
  readonly sampleRate: number
  /** Unix milliseconds after which the round closes (publishing only if `minClients` reached). */
  readonly deadline: number
  /**
   * Adaptive clipping (Andrew et al. 2021) when on: `clipNorm` is then the current estimate, and
   * the device also sends its noised "my update was not clipped" bit. Absent or null: fixed C.
   */
  readonly adaptiveClipping?: AdaptiveClipRound | null
  /**
   * Secure aggregation (docs/SECAGG.md) when on: devices send masked inputs to a cohort through
   * /v1/secagg/…, and the server learns only each cohort's sum. Absent or null: plain updates.
   */
  readonly secureAggregation?: SecureAggregationRound | null
  /**
   * How plain updates carry their values (docs/PAYLOAD.md): `float32` (format 2), or `int8` /
   * `int4` quantised after clipping and noise (format 3). Absent: float32 (servers before
   * quantisation). Secure-aggregation rounds announce float32: their masked inputs have their
   * own fixed-point encoding (docs/SECAGG.md).
   */
  readonly updateEncoding?: UpdateEncoding
  /**
   * Row-subset round (`row-subset.ts`, docs/MODEL.md) when set: updates carry the delta of these
   * rows of one tensor (the item table) and of every other tensor, so that a model larger than the
   * upload budget still trains. Chosen from the round number alone. Absent or null: every row.
   */
  readonly rowSubset?: RowSubsetRound | null
}

/** How plain updates of `round` carry their values: float32 unless it says otherwise. */
export function roundUpdateEncoding(round: Pick<RoundConfig, 'updateEncoding'>): UpdateEncoding {
  return round.updateEncoding ?? 'float32'
}

/** What a round announces when updates are securely aggregated in cohorts. */
export interface SecureAggregationRound {
  /** Most clients in one cohort (one protocol run). */
  readonly cohortSize: number
  /**
   * Fewest clients whose inputs a cohort's sum may contain; a cohort with fewer left at any step
   * is abandoned. In `distributed` mode each client's noise is calibrated to this number, so every
   * sum the server can unmask carries at least the announced noise z·C.
   */
  readonly minSurvivors: number
  /** Seconds each protocol step waits for the cohort's clients before going on without them. */
  readonly stepSeconds: number
  /** Seconds a cohort waits to fill before starting with the clients it has. */
  readonly joinSeconds: number
}

/** What a round announces when the clip norm adapts (see `adaptive-clip.ts`). */
export interface AdaptiveClipRound {
  /** γ: the fraction of updates the clip norm should leave unclipped. */
  readonly targetQuantile: number
  /** η_C of the geometric update C ← C·exp(−η_C·(b̄ − γ)). */
  readonly learningRate: number
  /** σ_b: std of the noise on the cohort's sum of centred clip bits. */
  readonly countNoiseStd: number
  /**
   * z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2): the noise multiplier applied to the update values, larger
   * than the accounted z so that values and bits together cost exactly one Gaussian mechanism
   * with multiplier z.
   */
  readonly valueNoiseMultiplier: number
}

/** Noise multiplier applied to the update values: z_Δ with adaptive clipping, z without. */
export function valueNoiseMultiplier(cfg: Pick<RoundConfig, 'noiseMultiplier' | 'adaptiveClipping'>): number {
  return cfg.adaptiveClipping ? cfg.adaptiveClipping.valueNoiseMultiplier : cfg.noiseMultiplier
}

/** The round fields that fix how much noise a device adds. */
export type NoiseParams = Pick<RoundConfig, 'clipNorm' | 'noiseMultiplier' | 'noiseMode' | 'minClients' | 'adaptiveClipping' | 'secureAggregation'>

/**
 * Share of the aggregate noise one client adds: all of it in `local` mode; in `distributed` mode
 * 1/√m, where m is the fewest payloads any sum the server sees can hold: a cohort's minSurvivors
 * under secure aggregation, the round's minClients otherwise.
 */
function clientShare(cfg: Pick<RoundConfig, 'noiseMode' | 'minClients' | 'secureAggregation'>): number {
  if (cfg.noiseMode === NoiseMode.Local) return 1
  return 1 / Math.sqrt(cfg.secureAggregation ? cfg.secureAggregation.minSurvivors : cfg.minClients)
}

/**
 * Noise std each client adds to every update value: z·C in `local` mode; z·C/√minClients in
 * `distributed` mode, so the sum of at least `minClients` independent shares has std ≥ z·C.
 * With adaptive clipping z is the value multiplier z_Δ.
 * @example clientNoiseStd({ clipNorm: 1, noiseMultiplier: 1, noiseMode: 'local', minClients: 3 }) // 1
 */
export function clientNoiseStd(cfg: NoiseParams): number {
  return valueNoiseMultiplier(cfg) * cfg.clipNorm * clientShare(cfg)
}

/**
 * Noise multiplier of ONE payload as the aggregator sees it (values and clip bit together): z in
 * `local` mode, z/√minClients in `distributed` mode. With adaptive clipping the shares of z_Δ
 * and 2σ_b compose to exactly the share of z, as they do for the aggregate.
 * @example payloadNoiseMultiplier({ noiseMultiplier: 1, noiseMode: 'distributed', minClients: 4 }) // 0.5
 */
export function payloadNoiseMultiplier(cfg: Pick<RoundConfig, 'noiseMultiplier' | 'noiseMode' | 'minClients' | 'secureAggregation'>): number {
  return cfg.noiseMultiplier * clientShare(cfg)
}

/**
 * Noise std each client adds to its centred clip bit (adaptive clipping only, else 0): σ_b in
 * `local` mode, σ_b/√minClients in `distributed` mode, as for the values.
 * @example clientIndicatorNoiseStd({ ..., noiseMode: 'local', adaptiveClipping: { countNoiseStd: 0.5, ... } }) // 0.5
 */
export function clientIndicatorNoiseStd(cfg: NoiseParams): number {
  return cfg.adaptiveClipping ? cfg.adaptiveClipping.countNoiseStd * clientShare(cfg) : 0
}
