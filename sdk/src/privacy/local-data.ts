/**
 * The shopper's rights over what the device keeps: `export()` gives everything stored as JSON,
 * `forget()` deletes every trace (the IndexedDB database with its cached models, any Cache
 * Storage and web storage entries the SDK could have written).
 */
import type { StoredEvent } from '../core/ga4.js'
import { DB_NAME, DB_VERSION, deleteEventStore, type EventStore } from '../store/event-store.js'

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** Everything the device stores about the shopper, as `export()` returns it. */
export interface LocalDataExport {
  readonly format: 'fedrec-local-data'
  readonly exportedAt: string
  readonly storage: 'indexeddb' | 'memory'
  readonly database: { readonly name: string; readonly schemaVersion: number }
  /** Every recorded event, oldest first. */
  readonly events: readonly StoredEvent[]
  /**
   * Every other record by key: consent, cached global and personal models, participation
   * ledger, sent payloads. Binary values appear as `{ type, length, base64 }`.
   */
  readonly records: Readonly<Record<string, Json>>
}

function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/**
 * A JSON form of a stored value: typed arrays as base64, everything else as is.
 * @example toJson(new Uint8Array([1, 2])) // { type: 'Uint8Array', length: 2, base64: 'AQI=' }
 */
export function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'bigint') return v.toString()
  if (ArrayBuffer.isView(v)) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    return { type: v.constructor.name, length: (v as unknown as ArrayLike<unknown>).length ?? v.byteLength, base64: base64(bytes) }
  }
  if (v instanceof ArrayBuffer) return toJson(new Uint8Array(v))
  if (Array.isArray(v)) return v.map(toJson)
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]))
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]))
  return String(v)
}

/**
 * @example const data = await exportLocalData(store, 'indexeddb')
 */
export async function exportLocalData(store: EventStore, storage: 'indexeddb' | 'memory'): Promise<LocalDataExport> {
  const [events, entries] = await Promise.all([store.events(), store.entries()])
  return {
    format: 'fedrec-local-data',
    exportedAt: new Date().toISOString(),
    storage,
    database: { name: DB_NAME, schemaVersion: DB_VERSION },
    events,
    records: Object.fromEntries(entries.map(([k, v]) => [k, toJson(v)])),
  }
}

/** Names the SDK could use in Cache Storage or web storage: everything it owns starts so. */
const OWN_PREFIX = 'fedrec'

/**
 * Deletes the database and any Cache Storage or localStorage / sessionStorage entries named
 * `fedrec…`. The caller closes its connections first (and stops the worker, which holds one).
 * @example await deleteLocalData()
 */
export async function deleteLocalData(): Promise<void> {
  await deleteEventStore()
  if (typeof caches !== 'undefined') {
    for (const name of await caches.keys()) if (name.startsWith(OWN_PREFIX)) await caches.delete(name)
  }
  for (const area of ['localStorage', 'sessionStorage'] as const) {
    try {
      const s = globalThis[area]
      for (const k of Object.keys(s)) if (k.startsWith(OWN_PREFIX)) s.removeItem(k)
    } catch {
      // storage blocked (private mode, sandboxed frame): nothing of ours can be there either
    }
  }
}
