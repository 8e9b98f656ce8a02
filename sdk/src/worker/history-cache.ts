/**
 * The device's history as the model reads it (events → item sessions → recent context), kept in
 * the worker between rankings: IndexedDB is read again only after the page reports a change.
 */
import type { StoredEvent } from '../core/ga4.js'
import type { EventStore } from '../store/event-store.js'
import type { GlobalModel } from './model-cache.js'
import { recentItems, toSessions } from './sequences.js'

/** One reading of the history against one global model's vocabulary. */
export interface DeviceHistory {
  readonly events: readonly StoredEvent[]
  /** Item-row sessions, oldest first (sequences.ts). */
  readonly sessions: readonly number[][]
  /** The most recent `maxLen` items: what `for_you` recommends after. */
  readonly context: readonly number[]
  /**
   * A fingerprint of `sessions`: a personal fine-tune made on the same key saw the same
   * training data. Events that add no item to a session (impressions, searches) leave it alone.
   */
  readonly key: string
}

/**
 * FNV-1a over the session rows, with a separator per session (32 bits; a collision only delays
 * one personal fine-tune until the history changes again).
 * @example sessionsKey([[1, 2], [3]]) // e.g. '3:9d1c2f3a'
 */
export function sessionsKey(sessions: readonly (readonly number[])[]): string {
  let h = 0x811c9dc5
  let n = 0
  const mix = (x: number): void => {
    for (let s = 0; s < 32; s += 8) {
      h ^= (x >>> s) & 0xff
      h = Math.imul(h, 0x01000193)
    }
  }
  for (const s of sessions) {
    for (const row of s) mix(row)
    mix(0xffffffff)
    n += s.length
  }
  return `${n}:${(h >>> 0).toString(16).padStart(8, '0')}`
}

/**
 * @example
 * const history = new HistoryCache(store)
 * const { context } = await history.get(model)
 * history.invalidate() // the page recorded an event
 */
export class HistoryCache {
  private generation = 0
  private cached: { readonly model: GlobalModel; readonly value: DeviceHistory } | null = null

  constructor(private readonly store: EventStore) {}

  /** Forgets the cached reading: the next `get` reads the store again. */
  invalidate(): void {
    this.generation++
    this.cached = null
  }

  async get(model: GlobalModel): Promise<DeviceHistory> {
    if (this.cached?.model === model) return this.cached.value
    const generation = this.generation
    const events = await this.store.events()
    const sessions = toSessions(events, model.vocab)
    const maxLen = Number(model.bundle.description.config.maxLen)
    const value: DeviceHistory = { events, sessions, context: recentItems(sessions, maxLen), key: sessionsKey(sessions) }
    // A change reported while the store was being read makes this reading stale: use it once only.
    if (generation === this.generation) this.cached = { model, value }
    return value
  }
}
