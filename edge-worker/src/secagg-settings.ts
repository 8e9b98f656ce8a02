/** Secure aggregation's deployment settings (FEDREC_SECURE_AGGREGATION, FEDREC_SECAGG_*), checked at start. */
import type { NoiseMode, SecureAggregationRound } from '../../aggregator/src/index.js'
import { cohortScale } from '../../aggregator/src/secagg/index.js'
import { num, type Env } from './env.js'

/**
 * The cohort settings a secure round announces, or null when secure aggregation is off.
 * @throws Error naming the variable when a setting is invalid or cannot work with the others
 */
export function secureAggregationSettings(
  env: Env,
  round: { readonly expectedClients: number; readonly clipNorm: number; readonly noiseMultiplier: number; readonly noiseMode: NoiseMode; readonly adaptive: boolean },
): SecureAggregationRound | null {
  const flag = env.FEDREC_SECURE_AGGREGATION ?? 'off'
  if (flag !== 'on' && flag !== 'off' && flag !== '') throw new Error(`FEDREC_SECURE_AGGREGATION=${flag} must be on or off`)
  if (flag !== 'on') return null
  // The clip bit of adaptive clipping would have to be aggregated securely too; not built yet.
  if (round.adaptive) throw new Error('FEDREC_SECURE_AGGREGATION=on cannot be combined with adaptive clipping (FEDREC_CLIP_QUANTILE) yet')
  // Trimmed mean and median need each update; the server only ever sees a cohort's sum.
  const robust = env.FEDREC_ROBUST_AGGREGATION ?? ''
  if (robust !== '' && robust !== 'none') throw new Error(`FEDREC_SECURE_AGGREGATION=on cannot be combined with FEDREC_ROBUST_AGGREGATION=${robust}: the server never sees single updates`)
  const cohortSize = num(env.FEDREC_SECAGG_COHORT_SIZE, 'FEDREC_SECAGG_COHORT_SIZE', round.expectedClients, (n) => Number.isInteger(n) && n >= 3 && n <= 65535)
  // Tolerate a third of the cohort dropping out at any step (Bonawitz et al. 2017 design point).
  const minSurvivors = num(env.FEDREC_SECAGG_MIN_SURVIVORS, 'FEDREC_SECAGG_MIN_SURVIVORS', cohortSize - Math.floor(cohortSize / 3), (n) => Number.isInteger(n) && n >= 2 && n <= cohortSize)
  const settings: SecureAggregationRound = {
    cohortSize,
    minSurvivors,
    stepSeconds: num(env.FEDREC_SECAGG_STEP_SECONDS, 'FEDREC_SECAGG_STEP_SECONDS', 60, (n) => n > 0),
    joinSeconds: num(env.FEDREC_SECAGG_JOIN_SECONDS, 'FEDREC_SECAGG_JOIN_SECONDS', 120, (n) => n > 0),
  }
  try {
    cohortScale({ ...round, roundId: 0, modelVersion: 0, minClients: minSurvivors, secureAggregation: settings })
  } catch (e) {
    throw new Error(`FEDREC_SECAGG_COHORT_SIZE=${cohortSize}: ${e instanceof Error ? e.message : String(e)}`)
  }
  return settings
}
