/**
 * Group commit of accepted updates: a batch of updates that arrived together is made durable in
 * one transaction, either as their payloads (one row each) or as a checkpoint of the round's
 * float64 running sum that covers them and every payload stored before. Either way an update is
 * acknowledged only once it is counted in what storage holds: after a crash the round is
 * rebuilt as checkpoint + the payloads stored after it, never counting one twice.
 */
import { putBlob, getBlob, deleteBlobs } from './blob-table.js'

export const CHECKPOINT_SCHEMA = 'CREATE TABLE IF NOT EXISTS round_checkpoint (round_id INTEGER PRIMARY KEY, count INTEGER NOT NULL)'

const SUM_BLOB = 'sum'

/** Most payloads a round keeps outside its checkpoint before they are folded into it. */
export const MAX_LOOSE_PAYLOADS = 16

/**
 * Whether to write a checkpoint for a batch rather than its payloads. A float64 checkpoint is
 * 8 B per parameter, a float32 payload 4 B: the checkpoint writes less from 3 updates on, and it
 * also bounds how many payloads a round keeps (storage stays O(model), not O(cohort)). Robust
 * aggregation needs every update, so it always keeps the payloads.
 * @example checkpointPays({ batch: 3, loose: 0, keepEveryUpdate: false }) // true
 */
export function checkpointPays(o: { readonly batch: number; readonly loose: number; readonly keepEveryUpdate: boolean }): boolean {
  if (o.keepEveryUpdate) return false
  return o.batch >= 3 || o.loose + o.batch > MAX_LOOSE_PAYLOADS
}

/** Stores the round's running sum and how many updates it holds, replacing the last checkpoint. */
export function saveCheckpoint(sql: SqlStorage, roundId: number, sum: Float64Array, count: number): void {
  putBlob(sql, SUM_BLOB, roundId, 0, new Uint8Array(sum.buffer, sum.byteOffset, sum.byteLength))
  sql.exec('INSERT INTO round_checkpoint (round_id, count) VALUES (?, ?) ON CONFLICT (round_id) DO UPDATE SET count = excluded.count', roundId, count)
}

/** The round's last checkpoint, or null when it has none. */
export function loadCheckpoint(sql: SqlStorage, roundId: number): { readonly sum: Float64Array; readonly count: number } | null {
  const row = sql.exec<{ count: number }>('SELECT count FROM round_checkpoint WHERE round_id = ?', roundId).toArray()[0]
  const bytes = row ? getBlob(sql, SUM_BLOB, roundId, 0) : null
  if (!row || !bytes) return null
  return { sum: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8), count: row.count }
}

/** Whether the round has a checkpoint. */
export function hasCheckpoint(sql: SqlStorage, roundId: number): boolean {
  return sql.exec('SELECT 1 FROM round_checkpoint WHERE round_id = ?', roundId).toArray().length > 0
}

export function deleteCheckpoint(sql: SqlStorage, roundId: number): void {
  deleteBlobs(sql, SUM_BLOB, roundId)
  sql.exec('DELETE FROM round_checkpoint WHERE round_id = ?', roundId)
}
