/**
 * Large byte arrays in Durable Object SQLite storage, cut into chunks because a row or BLOB may
 * hold at most 2 MB there.
 */
const CHUNK = 1 << 20

export const BLOB_SCHEMA = `CREATE TABLE IF NOT EXISTS blob_chunk (
  kind TEXT NOT NULL, key INTEGER NOT NULL, sub INTEGER NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (kind, key, sub, idx))`

/** The bytes of `part` as an ArrayBuffer to bind: its own buffer when it spans all of it, else a copy. */
function bindable(part: Uint8Array): ArrayBuffer {
  const whole = part.byteOffset === 0 && part.byteLength === part.buffer.byteLength && part.buffer instanceof ArrayBuffer
  return whole ? (part.buffer as ArrayBuffer) : part.slice().buffer
}

/** Stores `bytes` under (kind, key, sub), replacing what was there. */
export function putBlob(sql: SqlStorage, kind: string, key: number, sub: number, bytes: Uint8Array): void {
  sql.exec('DELETE FROM blob_chunk WHERE kind = ? AND key = ? AND sub = ?', kind, key, sub)
  for (let i = 0, idx = 0; i < Math.max(bytes.length, 1); i += CHUNK, idx++) {
    sql.exec('INSERT INTO blob_chunk (kind, key, sub, idx, data) VALUES (?, ?, ?, ?, ?)', kind, key, sub, idx, bindable(bytes.subarray(i, i + CHUNK)))
  }
}

/** Reads back what `putBlob` stored, or null. */
export function getBlob(sql: SqlStorage, kind: string, key: number, sub: number): Uint8Array | null {
  const rows = sql.exec<{ data: ArrayBuffer }>('SELECT data FROM blob_chunk WHERE kind = ? AND key = ? AND sub = ? ORDER BY idx', kind, key, sub).toArray()
  if (rows.length === 0) return null
  const parts = rows.map((r) => new Uint8Array(r.data))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** The `sub` keys stored under (kind, key), in order. */
export function listBlobs(sql: SqlStorage, kind: string, key: number): number[] {
  return sql.exec<{ sub: number }>('SELECT DISTINCT sub FROM blob_chunk WHERE kind = ? AND key = ? ORDER BY sub', kind, key).toArray().map((r) => r.sub)
}

export function deleteBlobs(sql: SqlStorage, kind: string, key: number): void {
  sql.exec('DELETE FROM blob_chunk WHERE kind = ? AND key = ?', kind, key)
}
