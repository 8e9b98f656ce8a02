import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { MemoryStore } from '../store/event-store.js'
import { HistoryCache, sessionsKey } from './history-cache.js'
import type { GlobalModel } from './model-cache.js'

const model = (version = 0): GlobalModel => ({
  bundle: { version, description: { layout: [], config: { maxLen: 3 }, vocab: ['A', 'B', 'C', 'D'] }, weights: new Float32Array(0) },
  vocab: new Map([['A', 1], ['B', 2], ['C', 3], ['D', 4]]),
})
const view = (id: string, ts: number, name = 'view_item'): StoredEvent => ({ name, ts, params: { items: [{ item_id: id }] } }) as StoredEvent

/** A store that counts how often the history is read. */
class CountingStore extends MemoryStore {
  reads = 0
  override async events(): Promise<StoredEvent[]> {
    this.reads++
    return super.events()
  }
}

describe('HistoryCache', () => {
  it('reads the store once until told of a change, then reads it again', async () => {
    const store = new CountingStore()
    await store.addEvents([view('A', 1), view('B', 2)])
    const cache = new HistoryCache(store)
    const m = model()
    const first = await cache.get(m)
    expect(first.context).toEqual([1, 2])
    expect(await cache.get(m)).toBe(first)
    expect(store.reads).toBe(1)
    await store.addEvents([view('C', 3), view('D', 4)])
    expect((await cache.get(m)).context, 'not told yet: the cached reading').toEqual([1, 2])
    cache.invalidate()
    const second = await cache.get(m)
    // maxLen 3: the most recent three items.
    expect(second.context).toEqual([2, 3, 4])
    expect(second.key).not.toBe(first.key)
    expect(store.reads).toBe(2)
    // Another model (a new version) reads again: the vocabulary may differ.
    await cache.get(model(1))
    expect(store.reads).toBe(3)
  })

  it('does not keep a reading that a change overtook', async () => {
    const store = new MemoryStore()
    await store.addEvents([view('A', 1)])
    const cache = new HistoryCache(store)
    const m = model()
    const pending = cache.get(m)
    cache.invalidate()
    await store.addEvents([view('B', 2)])
    await pending
    expect((await cache.get(m)).context).toEqual([1, 2])
  })
})

describe('sessionsKey', () => {
  it('changes with the items and the session boundaries, not with events that add no item', () => {
    expect(sessionsKey([[1, 2], [3]])).toBe(sessionsKey([[1, 2], [3]]))
    expect(sessionsKey([[1, 2], [3]])).not.toBe(sessionsKey([[1], [2, 3]]))
    expect(sessionsKey([[1, 2]])).not.toBe(sessionsKey([[2, 1]]))
    expect(sessionsKey([[1, 2]])).not.toBe(sessionsKey([[1, 2, 2]]))
    expect(sessionsKey([])).toBe('0:811c9dc5')
  })
})
