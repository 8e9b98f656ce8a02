import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { summarize } from './history.js'
import { itemEmbeddings, recommend, type CatalogModel } from './recommender.js'

const H = 3600_000
const ev = (name: StoredEvent['name'], ts: number, ...items: { item_id: string; item_name?: string; item_category?: string; price?: number }[]): StoredEvent => ({ name, ts, params: { items } })

/**
 * Six items in two categories. Embeddings: A1..A3 point along x, B1..B3 along y, so items of a
 * category are each other's nearest neighbours.
 */
function model(): CatalogModel {
  const vocab = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3']
  const dim = 2
  const emb = new Float32Array((vocab.length + 1) * dim)
  const rows: [number, number][] = [[1, 0.1], [1, 0.2], [1, -0.1], [0, 1], [0.2, 1], [-0.1, 1]]
  rows.forEach(([x, y], i) => emb.set([x, y], (i + 1) * dim))
  return { vocab, rowOf: new Map(vocab.map((id, i) => [id, i + 1])), categories: [1, 1, 1, 2, 2, 2], popularity: [1, 2, 3, 6, 5, 4], embeddings: emb, dim }
}

const shopperA: StoredEvent[] = [
  ev('view_item', 1 * H, { item_id: 'A1', item_name: 'Apple one', item_category: 'apples', price: 5 }),
  ev('add_to_cart', 1 * H + 1, { item_id: 'A1', item_name: 'Apple one', item_category: 'apples', price: 5 }),
  ev('view_item', 2 * H, { item_id: 'A2', item_name: 'Apple two', item_category: 'apples', price: 7 }),
]

describe('recommend', () => {
  it('for a new shopper, for_you is the published popularity order, explained as popular', () => {
    const r = recommend({ model: model(), events: [], scores: null }, { type: 'for_you', limit: 3 })
    expect(r.map((x) => x.item_id)).toEqual(['B1', 'B2', 'B3'])
    expect(r[0]!.explanation).toMatchObject({ kind: 'popular', items: [] })
  })

  it("for_you follows the model's scores and names the shopper's own closest items", () => {
    const scores = [0, 0.1, 0.2, 0.9, 0.3, 0.2, 0.1]
    const r = recommend({ model: model(), events: shopperA, scores }, { type: 'for_you', limit: 2 })
    expect(r.map((x) => x.item_id)).toEqual(['A3', 'B1'])
    const why = r[0]!.explanation
    expect(why.kind).toBe('history')
    expect(why.items.map((i) => i.item_id)).toEqual(['A1', 'A2'])
    expect(why.items[0]).toMatchObject({ item_name: 'Apple one', interaction: 'added to cart' })
    expect(why.categories).toEqual([{ category: 'apples', weight: 1 }])
    expect(why.text).toBe('Because you viewed Apple one and Apple two')
    // B1 is far from everything the shopper touched: no item is named, and no category either.
    expect(r[1]!.explanation.items).toEqual([])
  })

  it('keeps unknown page candidates after the known ones, in page order', () => {
    const r = recommend({ model: model(), events: [], scores: null }, { type: 'for_you', among: ['X', 'A1', 'Y', 'B2'], limit: 10 })
    expect(r.map((x) => [x.item_id, x.score])).toEqual([['B2', 5], ['A1', 1], ['X', null], ['Y', null]])
  })

  it('related: nearest neighbours of the anchor, same category first, anchor excluded', () => {
    const r = recommend({ model: model(), events: shopperA, scores: null }, { type: 'related', itemIds: ['B1'], limit: 3 })
    expect(r.map((x) => x.item_id)).toEqual(['B3', 'B2', 'A2'])
    expect(r[0]!.explanation).toMatchObject({ kind: 'related', items: [{ item_id: 'B1' }] })
  })

  it('bought_together prefers other categories and what the shopper bought with the anchor', () => {
    const events = [...shopperA, { name: 'purchase', ts: 3 * H, params: { items: [{ item_id: 'A1' }, { item_id: 'B3' }] } } as StoredEvent]
    const flat = [0, 0, 0, 0, 0, 0, 0]
    const r = recommend({ model: model(), events, scores: flat }, { type: 'bought_together', itemIds: ['A1'], limit: 4 })
    expect(r[0]!.item_id).toBe('B3')
    expect(r.slice(1, 3).map((x) => x.item_id).sort()).toEqual(['B1', 'B2'])
    expect(r[0]!.explanation.text).toBe('Often bought with Apple one')
  })

  it('trending leaves out what the shopper already bought', () => {
    const events = [{ name: 'purchase', ts: 1, params: { items: [{ item_id: 'B1' }] } } as StoredEvent]
    expect(recommend({ model: model(), events, scores: null }, { type: 'trending', limit: 2 }).map((x) => x.item_id)).toEqual(['B2', 'B3'])
  })

  it('recently_viewed is the view history, latest first, each item once, the anchor left out', () => {
    const events = [...shopperA, ev('view_item', 3 * H, { item_id: 'A1' }), ev('view_item', 4 * H, { item_id: 'ZZ' })]
    const r = recommend({ model: model(), events, scores: null }, { type: 'recently_viewed', exclude: ['ZZ'], limit: 5 })
    expect(r.map((x) => x.item_id)).toEqual(['A1', 'A2'])
    expect(r[0]!.explanation.kind).toBe('recently_viewed')
  })
})

describe('history and embeddings', () => {
  it('summarises recency, strongest interaction and details', () => {
    const h = summarize(shopperA)
    expect(h.recent).toEqual(['A2', 'A1'])
    expect(h.interaction.get('A1')).toBe('added to cart')
    expect(h.details.get('A2')).toEqual({ item_id: 'A2', item_name: 'Apple two', item_category: 'apples', price: 7 })
  })
  it('finds item_emb by layout', () => {
    const w = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8])
    const { embeddings, dim } = itemEmbeddings([{ name: 'pos', shape: [1, 2] }, { name: 'item_emb', shape: [3, 2] }], w)
    expect([...embeddings]).toEqual([3, 4, 5, 6, 7, 8])
    expect(dim).toBe(2)
  })
})
