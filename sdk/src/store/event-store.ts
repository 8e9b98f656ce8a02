/** On-device storage: events and small records in IndexedDB (via idb), shared by the page and the worker. */
import { deleteDB, openDB, type IDBPDatabase } from 'idb'
import type { StoredEvent } from '../core/ga4.js'
import { DB_NAME, DB_VERSION, migrate, type FedrecSchema } from './schema.js'

export { DB_NAME, DB_VERSION } from './schema.js'

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
  /** The tfjs backend this device chose, so later pages skip the probe (worker/backend-choice.ts). */
  BackendChoice: 'backend-choice',
} as const
export type KvKey = (typeof KvKey)[keyof typeof KvKey]

/** How much history a device keeps. Older and surplus events are dropped, oldest first. */
export interface StoreLimits {
  /** Events older than this many milliseconds are deleted. */
  readonly retentionMs: number
  /** At most this many events are kept. */
  readonly maxEvents: number
}

/** 90 days and 5,000 events: months of a regular shopper's browsing, a few MB at most. */
export const DEFAULT_LIMITS = { retentionMs: 90 * 24 * 3600 * 1000, maxEvents: 5000 } as const satisfies StoreLimits

/** The browser refused a write for lack of space, even after the oldest events were dropped. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError'
}

/** The device's store; IndexedDB-backed or in memory where IndexedDB is unavailable. */
export interface EventStore {
  /** Adds events, then drops the oldest beyond the limits. Throws {@link StorageFullError}. */
  addEvents(events: readonly StoredEvent[]): Promise<void>
  /** Every event, oldest first. */
  events(): Promise<StoredEvent[]>
  countEvents(): Promise<number>
  /** Deletes events older than the retention window; returns how many went. */
  prune(now?: number): Promise<number>
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  delete(key: string): Promise<void>
  /** Deletes every event (the records stay). */
  clearEvents(): Promise<void>
  /** Every record of the kv store, for `export()`. */
  entries(): Promise<[string, unknown][]>
  /** Deletes every event and record. */
  clear(): Promise<void>
  close(): void
}

/** True for the error a browser raises when an origin is out of storage quota. */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED'
}

class IdbStore implements EventStore {
  constructor(
    private readonly db: IDBPDatabase<FedrecSchema>,
    private readonly limits: StoreLimits,
  ) {}

  private async put(events: readonly StoredEvent[]): Promise<void> {
    const tx = this.db.transaction('events', 'readwrite')
    for (const e of events) tx.store.add(e).catch(() => undefined)
    try {
      await tx.done
    } catch (e) {
      // A failed request aborts the transaction; the reason is on the transaction.
      throw tx.error ?? e
    }
  }

  /** Deletes the `n` oldest events. */
  private async dropOldest(n: number): Promise<void> {
    if (n <= 0) return
    const tx = this.db.transaction('events', 'readwrite')
    let cursor = await tx.store.index('ts').openCursor()
    for (let i = 0; cursor && i < n; i++) {
      await cursor.delete()
      cursor = await cursor.continue()
    }
    await tx.done
  }

  async addEvents(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return
    try {
      await this.put(events)
    } catch (e) {
      if (!isQuotaError(e)) throw e
      // Out of quota: make room by dropping the oldest quarter of the history, then try once more.
      await this.dropOldest(Math.max(events.length, Math.ceil((await this.countEvents()) / 4)))
      try {
        await this.put(events)
      } catch (e2) {
        if (isQuotaError(e2)) throw new StorageFullError('the browser has no storage left for fedrec', { cause: e2 })
        throw e2
      }
    }
    const surplus = (await this.countEvents()) - this.limits.maxEvents
    if (surplus > 0) await this.dropOldest(surplus)
  }
  events(): Promise<StoredEvent[]> {
    return this.db.getAllFromIndex('events', 'ts')
  }
  countEvents(): Promise<number> {
    return this.db.count('events')
  }
  async prune(now = Date.now()): Promise<number> {
    const tx = this.db.transaction('events', 'readwrite')
    let n = 0
    let cursor = await tx.store.index('ts').openCursor(IDBKeyRange.upperBound(now - this.limits.retentionMs, true))
    while (cursor) {
      await cursor.delete()
      n++
      cursor = await cursor.continue()
    }
    await tx.done
    return n
  }
  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get('kv', key)) as T | undefined
  }
  async set(key: string, value: unknown): Promise<void> {
    await this.db.put('kv', value, key)
  }
  async delete(key: string): Promise<void> {
    await this.db.delete('kv', key)
  }
  async clearEvents(): Promise<void> {
    await this.db.clear('events')
  }
  async entries(): Promise<[string, unknown][]> {
    const tx = this.db.transaction('kv')
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done])
    return keys.map((k, i) => [k, values[i]])
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
  private evs: StoredEvent[] = []
  private readonly kv = new Map<string, unknown>()
  constructor(private readonly limits: StoreLimits = DEFAULT_LIMITS) {}
  async addEvents(events: readonly StoredEvent[]): Promise<void> {
    this.evs.push(...events)
    this.evs.sort((a, b) => a.ts - b.ts)
    if (this.evs.length > this.limits.maxEvents) this.evs = this.evs.slice(-this.limits.maxEvents)
  }
  async events(): Promise<StoredEvent[]> {
    return [...this.evs]
  }
  async countEvents(): Promise<number> {
    return this.evs.length
  }
  async prune(now = Date.now()): Promise<number> {
    const before = this.evs.length
    this.evs = this.evs.filter((e) => e.ts >= now - this.limits.retentionMs)
    return before - this.evs.length
  }
  async get<T>(key: string): Promise<T | undefined> {
    return this.kv.get(key) as T | undefined
  }
  async set(key: string, value: unknown): Promise<void> {
    this.kv.set(key, value)
  }
  async delete(key: string): Promise<void> {
    this.kv.delete(key)
  }
  async clearEvents(): Promise<void> {
    this.evs = []
  }
  async entries(): Promise<[string, unknown][]> {
    return [...this.kv.entries()]
  }
  async clear(): Promise<void> {
    this.evs = []
    this.kv.clear()
  }
  close(): void {}
}

/**
 * Opens the IndexedDB store, creating or migrating its schema, and drops events past retention.
 * @example const store = await openEventStore()
 */
export async function openEventStore(limits: StoreLimits = DEFAULT_LIMITS): Promise<EventStore> {
  if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('IndexedDB is not available in this browser')
  const db = await openDB<FedrecSchema>(DB_NAME, DB_VERSION, {
    upgrade: (db, oldVersion, _newVersion, tx) => migrate(db, oldVersion, tx),
    // Another tab running an older SDK holds the database open: let it go so this one can upgrade.
    blocking: () => db.close(),
  })
  const store = new IdbStore(db, limits)
  await store.prune()
  return store
}

/**
 * Deletes the whole database (every event, record and cached model). Connections must be closed
 * first; one still open elsewhere delays the deletion until it closes.
 * @example await deleteEventStore()
 */
export async function deleteEventStore(): Promise<void> {
  if (typeof indexedDB === 'undefined' || !indexedDB) return
  await deleteDB(DB_NAME)
}
