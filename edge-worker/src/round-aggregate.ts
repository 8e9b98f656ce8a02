/**
 * The round's sum for FedAvg: the running sum kept as updates arrive, or, with robust
 * aggregation on (FEDREC_ROBUST_AGGREGATION), n × the coordinate-wise trimmed mean or median of
 * the stored updates (aggregator/src/robust-aggregation.ts).
 */
import { RobustAggregation, robustSum, type RoundSum } from '../../aggregator/src/index.js'
import { getBlob, listBlobs } from './blob-table.js'
import type { GuardSettings } from './guard-settings.js'

/** Every accepted update of a round, as stored before its 202. */
export function loadRoundUpdates(sql: SqlStorage, roundId: number): Float32Array[] {
  return listBlobs(sql, 'update', roundId).map((seq) => {
    const bytes = getBlob(sql, 'update', roundId, seq)!
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  })
}

/** @example applyFedAvg(w, aggregateRound(sql, 7, running, guard), opts) */
export function aggregateRound(sql: SqlStorage, roundId: number, running: RoundSum, guard: Pick<GuardSettings, 'robust' | 'trimFraction'>): Float64Array {
  if (guard.robust === RobustAggregation.None || running.count === 0) return running.sum
  return robustSum(loadRoundUpdates(sql, roundId), { mode: guard.robust, trimFraction: guard.trimFraction })
}
