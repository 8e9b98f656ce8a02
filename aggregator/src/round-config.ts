/** The parameters a server announces for a round; both ends read them from here. */

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
}

/**
 * Noise std each client adds for a round: z·C in `local` mode; z·C/√minClients in
 * `distributed` mode, so the sum of at least `minClients` independent shares has std ≥ z·C.
 * @example clientNoiseStd({ clipNorm: 1, noiseMultiplier: 1, noiseMode: 'local', minClients: 3 }) // 1
 */
export function clientNoiseStd(cfg: Pick<RoundConfig, 'clipNorm' | 'noiseMultiplier' | 'noiseMode' | 'minClients'>): number {
  const total = cfg.noiseMultiplier * cfg.clipNorm
  return cfg.noiseMode === NoiseMode.Local ? total : total / Math.sqrt(cfg.minClients)
}
