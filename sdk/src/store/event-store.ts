/** On-device storage: events and small records in IndexedDB (via idb), shared by the page and the worker. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { StoredEvent } from '../core/ga4.js'

export const DB_NAME = 'fedrec'
export const DB_VERSION = 1

interface FedrecSchema extends DBSchema {
  events: { key: number; value: StoredEvent; indexes: { ts: number } }
  kv: { key: string; value: unknown }
}

/** Keys of the kv store, one place so `export()` and `forget()` cannot miss one. */
export const KvKey = {
  Consent: 'consent',
  GlobalModel: 'global-model',
  PersonalModel: 'personal-model',
  Ledger: 'ledger',
  SentPayloads: 'sent-payloads',
  RoundDecisions: 'round-decisions',
  /** Encoded updates waiting for the edge's 202 (worker/upload-queue.ts). */
  UploadQueue: 'upload-queue',
  /** Set while local training runs (worker/training-marker.ts). */
  TrainingMark: 'training-mark',
} as const
export type KvKey = (typeof KvKey)[keyof typeof KvKey]

/** The device's store; IndexedDB-backed or in memory where IndexedDB is unavailable. */
export interface EventStore {
  addEvents(events: readonly StoredEvent[]): Promise<void>
  events(): Promise<StoredEvent[]>
  countEvents(): Promise<number>
  get<T>(key: KvKey): Promise<T | undefined>
  set(key: KvKey, value: unknown): Promise<void>
  /** Deletes every event and record. */
  clear(): Promise<void>
  close(): void
}

class IdbStore implements EventStore {
  constructor(private readonly db: IDBPDatabase<FedrecSchema>) {}
  async addEvents(events: readonly StoredEvent[]): Promise<void> {
    const tx = this.db.transaction('events', 'readwrite')
    await Promise.all([...events.map((e) => tx.store.add(e)), tx.done])
  }
  events(): Promise<StoredEvent[]> {
    return this.db.getAllFromIndex('events', 'ts')
  }
  countEvents(): Promise<number> {
    return this.db.count('events')
  }
  async get<T>(key: KvKey): Promise<T | undefined> {
    return (await this.db.get('kv', key)) as T | undefined
  }
  async set(key: KvKey, value: unknown): Promise<void> {
    await this.db.put('kv', value, key)
  }
  async clear(): Promise<void> {
    const tx = this.db.transaction(['events', 'kv'], 'readwrite')
    await Promise.all([tx.objectStore('events').clear(), tx.objectStore('kv').clear(), tx.done])
  }
  close(): void {
    this.db.close()
  }
}

/** In-memory fallback (private mode, no IndexedDB): same contract, gone with the page. */
export class MemoryStore implements EventStore {
  private readonly evs: StoredEvent[] = []
  private readonly kv = new Map<string, unknown>()
  async addEvents(events: readonly StoredEvent[]): Promise<void> {
    this.evs.push(...events)
  }
  async events(): Promise<StoredEvent[]> {
    return [...this.evs].sort((a, b) => a.ts - b.ts)
  }
  async countEvents(): Promise<number> {
    return this.evs.length
  }
  async get<T>(key: KvKey): Promise<T | undefined> {
    return this.kv.get(key) as T | undefined
  }
  async set(key: KvKey, value: unknown): Promise<void> {
    this.kv.set(key, value)
  }
  async clear(): Promise<void> {
    this.evs.length = 0
    this.kv.clear()
  }
  close(): void {}
}

/**
 * Opens the IndexedDB store (creating or migrating its schema).
 * @example const store = await openEventStore()
 */
export async function openEventStore(): Promise<EventStore> {
  const db = await openDB<FedrecSchema>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      // Migrations run in order; each step upgrades from the version before it.
      if (oldVersion < 1) {
        const events = db.createObjectStore('events', { autoIncrement: true })
        events.createIndex('ts', 'ts')
        db.createObjectStore('kv')
      }
    },
  })
  return new IdbStore(db)
}
