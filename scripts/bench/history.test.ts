import { describe, expect, it } from 'vitest'
import { syntheticHistory } from './history.js'

const items = Array.from({ length: 40 }, (_, i) => ({ sku: `SKU-${i}`, category: `c${i % 8}` }))

describe('syntheticHistory', () => {
  it('is deterministic, exactly `count` long, and never views the same item twice in a row', () => {
    const h = syntheticHistory(items, 200)
    expect(h).toHaveLength(200)
    expect(syntheticHistory(items, 200)).toEqual(h)
    const views = h.filter((e) => e.name === 'view_item')
    expect(views.every((e, i) => i === 0 || e.itemId !== views[i - 1]!.itemId)).toBe(true)
    // An add-to-cart always follows a view of the same item.
    h.forEach((e, i) => e.name === 'add_to_cart' && expect(h[i - 1]).toEqual({ name: 'view_item', itemId: e.itemId }))
  })

  it('leans towards three favourite categories', () => {
    const cat = new Map(items.map((i) => [i.sku, i.category]))
    const counts = new Map<string, number>()
    for (const e of syntheticHistory(items, 200)) counts.set(cat.get(e.itemId)!, (counts.get(cat.get(e.itemId)!) ?? 0) + 1)
    const top3 = [...counts.values()].sort((a, b) => b - a).slice(0, 3).reduce((a, b) => a + b, 0)
    expect(top3 / 200).toBeGreaterThan(0.7)
  })

  it('refuses a catalogue too small for a history', () => {
    expect(() => syntheticHistory(items.slice(0, 1))).toThrow(/at least two/)
  })
})
