import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { recentItems, SESSION_GAP_MS, toSessions } from './sequences.js'

const ev = (name: StoredEvent['name'], ts: number, ...ids: string[]): StoredEvent => ({ name, ts, params: { items: ids.map((item_id) => ({ item_id })) } })

describe('toSessions', () => {
  const vocab = new Map([['A', 1], ['B', 2], ['C', 3]])
  it('splits on the session gap, skips unknown items and immediate repeats', () => {
    const events = [ev('view_item', 0, 'A'), ev('add_to_cart', 10, 'A'), ev('view_item', 20, 'X'), ev('select_item', 30, 'B'), ev('view_item', 40 + SESSION_GAP_MS, 'C'), { name: 'search', ts: 50 + SESSION_GAP_MS, params: { search_term: 'shoes' } } as StoredEvent]
    expect(toSessions(events, vocab)).toEqual([[1, 2], [3]])
  })
  it('keeps the most recent items as context', () => {
    expect(recentItems([[1, 2], [3]], 2)).toEqual([2, 3])
  })
})
