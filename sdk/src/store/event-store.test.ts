import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { isQuotaError, MemoryStore } from './event-store.js'
import { DB_VERSION, MIGRATIONS } from './schema.js'

const ev = (id: string, ts: number): StoredEvent => ({ name: 'view_item', ts, params: { items: [{ item_id: id }] } })

describe('MemoryStore (the no-IndexedDB fallback) keeps the same limits', () => {
  it('drops the oldest beyond the maximum', async () => {
    const s = new MemoryStore({ retentionMs: 1e12, maxEvents: 3 })
    await s.addEvents([ev('a', 1), ev('b', 2)])
    await s.addEvents([ev('d', 4), ev('c', 3)])
    expect((await s.events()).map((e) => e.params.items![0]!.item_id)).toEqual(['b', 'c', 'd'])
  })
  it('prunes past the retention window and lists records for export', async () => {
    const s = new MemoryStore({ retentionMs: 100, maxEvents: 10 })
    await s.addEvents([ev('old', 0), ev('new', 950)])
    expect(await s.prune(1000)).toBe(1)
    expect(await s.countEvents()).toBe(1)
    await s.set('consent', 'granted')
    expect(await s.entries()).toEqual([['consent', 'granted']])
    await s.clear()
    expect([await s.countEvents(), await s.entries()]).toEqual([0, []])
  })
})

describe('schema', () => {
  it('has one migration per version', () => {
    expect(DB_VERSION).toBe(MIGRATIONS.length)
    expect(DB_VERSION).toBe(2)
  })
  it('recognises quota errors by name', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true)
    expect(isQuotaError(new Error('other'))).toBe(false)
    expect(isQuotaError(null)).toBe(false)
  })
})
