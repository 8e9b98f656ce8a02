/**
 * State of the server that outlives a round and must survive a restart: the adaptive clip norm,
 * the server optimizer's moments (FedAvgM's velocity, FedAdam's m and v), and the clip bits of
 * the open round. Kept in the Durable Object's SQLite.
 */
import type { ServerOptimizerState } from '../../aggregator/src/index.js'
import { deleteBlobs, getBlob, putBlob } from './blob-table.js'

export const SERVER_STATE_SCHEMA = [
  'CREATE TABLE IF NOT EXISTS server_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS clip_bit (round_id INTEGER NOT NULL, seq INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (round_id, seq))',
] as const

const CLIP_NORM = 'clip_norm'
const ADAM_STEP = 'adam_step'

function getValue(sql: SqlStorage, key: string): string | null {
  return sql.exec<{ value: string }>('SELECT value FROM server_state WHERE key = ?', key).toArray()[0]?.value ?? null
}

function setValue(sql: SqlStorage, key: string, value: string): void {
  sql.exec('INSERT INTO server_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value)
}

/** The adaptive clip estimate for the next round, or `initial` before the first publish. */
export function loadClipNorm(sql: SqlStorage, initial: number): number {
  const v = getValue(sql, CLIP_NORM)
  return v === null ? initial : Number(v)
}

export function saveClipNorm(sql: SqlStorage, clipNorm: number): void {
  setValue(sql, CLIP_NORM, String(clipNorm))
}

/** Records one accepted update's clip bit (in the same transaction as the update). */
export function addClipBit(sql: SqlStorage, roundId: number, seq: number, value: number): void {
  sql.exec('INSERT INTO clip_bit (round_id, seq, value) VALUES (?, ?, ?)', roundId, seq, value)
}

/** Σ of the round's noised centred clip bits, summed in float64 as the deltas are. */
export function sumClipBits(sql: SqlStorage, roundId: number): number {
  return sql.exec<{ value: number }>('SELECT value FROM clip_bit WHERE round_id = ? ORDER BY seq', roundId).toArray().reduce((s, r) => s + r.value, 0)
}

export function deleteClipBits(sql: SqlStorage, roundId: number): void {
  sql.exec('DELETE FROM clip_bit WHERE round_id = ?', roundId)
}

/**
 * The server optimizer's moments (FedAdam's with v, FedAvgM's without), or null before the first
 * step. `serverStep` does not reuse the other optimizer's (a deployment that switched starts
 * from zero moments).
 */
export function loadOptimizerState(sql: SqlStorage): ServerOptimizerState | null {
  const step = getValue(sql, ADAM_STEP)
  const m = getBlob(sql, 'adam', 0, 0)
  const v = getBlob(sql, 'adam', 0, 1)
  if (step === null || !m) return null
  const floats = (b: Uint8Array): Float32Array => new Float32Array(b.slice().buffer)
  return v ? { step: Number(step), m: floats(m), v: floats(v) } : { step: Number(step), m: floats(m) }
}

/** Stores the optimizer's moments (null: deletes them). */
export function saveOptimizerState(sql: SqlStorage, state: ServerOptimizerState | null): void {
  deleteBlobs(sql, 'adam', 0)
  if (!state) {
    sql.exec('DELETE FROM server_state WHERE key = ?', ADAM_STEP)
    return
  }
  const bytes = (f: Float32Array): Uint8Array => new Uint8Array(f.buffer, f.byteOffset, f.byteLength)
  putBlob(sql, 'adam', 0, 0, bytes(state.m))
  if ('v' in state) putBlob(sql, 'adam', 0, 1, bytes(state.v))
  setValue(sql, ADAM_STEP, String(state.step))
}
