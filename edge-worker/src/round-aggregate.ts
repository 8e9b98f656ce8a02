/**
 * The round's sum for FedAvg: the running sum kept as updates arrive, or, with robust
 * aggregation on (FEDREC_ROBUST_AGGREGATION), n × the coordinate-wise trimmed mean or median of
 * the stored updates (aggregator/src/robust-aggregation.ts).
 */
import { decodeUpdate, RobustAggregation, robustSum, type RoundSum } from '../../aggregator/src/index.js'
import { deleteBlobs, getBlob, listBlobs } from './blob-table.js'
import type { GuardSettings } from './guard-settings.js'
import { hasCheckpoint } from './sum-checkpoint.js'

/**
 * Blob kind of an accepted update: the payload's bytes as they arrived (`payload`), which the
 * edge stores without re-encoding them (and which stay int8 / int4 when the device quantised).
 * `update` held the decoded float32 values before; an open round stored that way still loads.
 */
export const UPDATE_BLOB = 'payload'
const LEGACY_UPDATE_BLOB = 'update'

/** Every accepted update of a round, as stored before its 202, decoded to its float32 values. */
export function loadRoundUpdates(sql: SqlStorage, roundId: number): Float32Array[] {
  const legacy = listBlobs(sql, LEGACY_UPDATE_BLOB, roundId).map((seq) => {
    const bytes = getBlob(sql, LEGACY_UPDATE_BLOB, roundId, seq)!
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  })
  const payloads = listBlobs(sql, UPDATE_BLOB, roundId).map((seq) => decodeUpdate(getBlob(sql, UPDATE_BLOB, roundId, seq)!).data)
  return [...legacy, ...payloads]
}

/** Deletes every stored update of a round. */
export function deleteRoundUpdates(sql: SqlStorage, roundId: number): void {
  deleteBlobs(sql, UPDATE_BLOB, roundId)
  deleteBlobs(sql, LEGACY_UPDATE_BLOB, roundId)
}

/** @example applyFedAvg(w, aggregateRound(sql, 7, running, guard), opts) */
export function aggregateRound(sql: SqlStorage, roundId: number, running: RoundSum, guard: Pick<GuardSettings, 'robust' | 'trimFraction'>): Float64Array {
  if (guard.robust === RobustAggregation.None || running.count === 0) return running.sum
  // Robust aggregation keeps every payload; a round checkpointed while it was off (the setting
  // changed over a restart) no longer has them all, and publishes its plain sum.
  if (hasCheckpoint(sql, roundId)) return running.sum
  return robustSum(loadRoundUpdates(sql, roundId), { mode: guard.robust, trimFraction: guard.trimFraction })
}
