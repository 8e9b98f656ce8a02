/** Turns stored GA4 events into model item sequences (indices into the global model's vocabulary). */
import type { StoredEvent } from '../core/ga4.js'

/** Events further apart than this start a new session (the GA4 default session timeout). */
export const SESSION_GAP_MS = 30 * 60 * 1000

const ITEM_EVENTS = new Set(['view_item', 'select_item', 'add_to_cart', 'purchase'])

/**
 * Item-index sessions from events, oldest first. Items outside the vocabulary are skipped;
 * an immediate repeat of the same item (view, then add to cart) counts once.
 * @example toSessions(events, new Map([['SKU-1', 1]]))
 */
export function toSessions(events: readonly StoredEvent[], vocab: ReadonlyMap<string, number>): number[][] {
  const sessions: number[][] = []
  let current: number[] = []
  let lastTs = -Infinity
  for (const e of events) {
    if (!ITEM_EVENTS.has(e.name)) continue
    if (e.ts - lastTs > SESSION_GAP_MS && current.length > 0) {
      sessions.push(current)
      current = []
    }
    lastTs = e.ts
    for (const item of e.params.items ?? []) {
      const idx = vocab.get(item.item_id)
      if (idx === undefined) continue
      if (current[current.length - 1] !== idx) current.push(idx)
    }
  }
  if (current.length > 0) sessions.push(current)
  return sessions
}

/** The most recent `maxLen` items across sessions: the context a recommendation is made in. */
export function recentItems(sessions: readonly number[][], maxLen: number): number[] {
  const flat = sessions.flat()
  return flat.slice(Math.max(0, flat.length - maxLen))
}
