/** How a round's public config fixes one cohort's protocol parameters, computed alike on both ends. */
import { clientNoiseStd, type RoundConfig, type SecureAggregationRound } from '../round-config.js'
import type { CohortParams } from './messages.js'
import { quantizationScale } from './quantize.js'

/** A round config with secure aggregation on. */
export type SecureRoundConfig = Pick<RoundConfig, 'roundId' | 'modelVersion' | 'clipNorm' | 'noiseMultiplier' | 'noiseMode' | 'minClients'> & {
  readonly secureAggregation: SecureAggregationRound
}

/**
 * The fixed-point scale a cohort quantises with: from the cohort size, C and each client's noise
 * std (docs/SECAGG.md, "Wrap-around bound").
 * @example cohortScale(round) // 2^26 for 10 clients, C = 1
 */
export function cohortScale(round: SecureRoundConfig): number {
  return quantizationScale({ cohortSize: round.secureAggregation.cohortSize, clipNorm: round.clipNorm, noiseStd: clientNoiseStd({ ...round, adaptiveClipping: null }) })
}

/**
 * The protocol parameters of cohort `cohort` of a round: the context string binds keys and
 * shares to this round, cohort and model version.
 * @example cohortParams(round, 0, 8192) // { context: 'fedrec/secagg/v1/r3/c0/m2', vectorLength: 8192, minSurvivors: 7 }
 */
export function cohortParams(round: SecureRoundConfig, cohort: number, vectorLength: number): CohortParams {
  return { context: `fedrec/secagg/v1/r${round.roundId}/c${cohort}/m${round.modelVersion}`, vectorLength, minSurvivors: round.secureAggregation.minSurvivors }
}
