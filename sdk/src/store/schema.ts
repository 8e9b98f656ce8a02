/**
 * The IndexedDB schema and its migrations. Each step upgrades from the version before it, so a
 * shopper who comes back after any number of SDK releases is carried forward in order, keeping
 * what is stored.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb'
import type { StoredEvent } from '../core/ga4.js'

export const DB_NAME = 'fedrec'

export interface FedrecSchema extends DBSchema {
  events: { key: number; value: StoredEvent; indexes: { ts: number; name: string } }
  kv: { key: string; value: unknown }
}

type UpgradeTx = IDBPTransaction<FedrecSchema, StoreNames<FedrecSchema>[], 'versionchange'>

/** One schema step: `MIGRATIONS[i]` upgrades a database at version i to version i + 1. */
type Migration = (db: IDBPDatabase<FedrecSchema>, tx: UpgradeTx) => void

export const MIGRATIONS: readonly Migration[] = [
  // v1 (walking skeleton): events in arrival order with a time index, and small records by key.
  (db) => {
    const events = db.createObjectStore('events', { autoIncrement: true })
    events.createIndex('ts', 'ts')
    db.createObjectStore('kv')
  },
  // v2: an index by event name, so "recently viewed" reads only views, not the whole history.
  // IndexedDB fills a new index from the records already stored.
  (_db, tx) => {
    tx.objectStore('events').createIndex('name', 'name')
  },
]

/** The schema version this SDK writes. */
export const DB_VERSION = MIGRATIONS.length

/** Runs the migrations from `oldVersion` up to {@link DB_VERSION}. */
export function migrate(db: IDBPDatabase<FedrecSchema>, oldVersion: number, tx: UpgradeTx): void {
  for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]!(db, tx)
}
