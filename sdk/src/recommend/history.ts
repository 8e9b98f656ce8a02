/** What the device knows from its own event history: item details, recent items, views, purchases. */
import type { Ga4Item, StoredEvent } from '../core/ga4.js'
import type { RecommendQuery, ScoredItem } from './types.js'

/** The GA4 fields the shop sent with an item, latest values first seen. */
export interface ItemDetails {
  readonly item_id: string
  readonly item_name?: string
  readonly item_category?: string
  readonly item_brand?: string
  readonly price?: number
}

/** The strongest thing the shopper did with an item. */
export type Interaction = 'viewed' | 'added to cart' | 'bought'

export interface History {
  /** Details of every item seen in the history, by id. */
  readonly details: ReadonlyMap<string, ItemDetails>
  /** Item ids the shopper interacted with, most recent first, each once. */
  readonly recent: readonly string[]
  /** `view_item` / `select_item` items with the time of their last view, most recent first. */
  readonly viewed: readonly { readonly item_id: string; readonly ts: number }[]
  readonly interaction: ReadonlyMap<string, Interaction>
  readonly purchased: ReadonlySet<string>
}

const RANK: Record<Interaction, number> = { viewed: 0, 'added to cart': 1, bought: 2 }
const INTERACTION: Partial<Record<StoredEvent['name'], Interaction>> = {
  view_item: 'viewed',
  select_item: 'viewed',
  add_to_cart: 'added to cart',
  purchase: 'bought',
}

function details(it: Ga4Item): ItemDetails {
  return {
    item_id: it.item_id,
    ...(typeof it.item_name === 'string' ? { item_name: it.item_name } : {}),
    ...(typeof it.item_category === 'string' ? { item_category: it.item_category } : {}),
    ...(typeof it.item_brand === 'string' ? { item_brand: it.item_brand } : {}),
    ...(typeof it.price === 'number' && Number.isFinite(it.price) ? { price: it.price } : {}),
  }
}

/**
 * Summarises events (any order) into what recommendations and explanations need.
 * @example summarize(await store.events()).recent[0] // the last item the shopper touched
 */
export function summarize(events: readonly StoredEvent[]): History {
  const sorted = [...events].sort((a, b) => a.ts - b.ts)
  const det = new Map<string, ItemDetails>()
  const lastTouch = new Map<string, number>()
  const lastView = new Map<string, { order: number; ts: number }>()
  const interaction = new Map<string, Interaction>()
  const purchased = new Set<string>()
  sorted.forEach((e, order) => {
    for (const it of e.params.items ?? []) {
      det.set(it.item_id, { ...det.get(it.item_id), ...details(it) })
      const kind = INTERACTION[e.name]
      if (!kind) continue
      lastTouch.set(it.item_id, order)
      if (kind === 'viewed') lastView.set(it.item_id, { order, ts: e.ts })
      if (kind === 'bought') purchased.add(it.item_id)
      const prev = interaction.get(it.item_id)
      if (!prev || RANK[kind] > RANK[prev]) interaction.set(it.item_id, kind)
    }
  })
  const recent = [...lastTouch.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id)
  const viewed = [...lastView.entries()].sort((a, b) => b[1].order - a[1].order).map(([item_id, v]) => ({ item_id, ts: v.ts }))
  return { details: det, recent, viewed, interaction, purchased }
}

/**
 * The `recently_viewed` list: the shopper's own views, latest first, each item once. Needs no
 * model, so the page answers it without starting the worker.
 * @example recentlyViewed(summarize(events), { type: 'recently_viewed', limit: 6 })
 */
export function recentlyViewed(history: History, q: RecommendQuery): ScoredItem[] {
  const order = new Map(history.viewed.map((v, i) => [v.item_id, i]))
  const exclude = new Set([...(q.exclude ?? []), ...(q.itemIds ?? [])])
  const ids = (q.among ? q.among.filter((id) => order.has(id)) : history.viewed.map((v) => v.item_id)).filter((id) => !exclude.has(id))
  ids.sort((a, b) => order.get(a)! - order.get(b)!)
  return ids.slice(0, q.limit).map((item_id, i) => {
    const d = history.details.get(item_id)
    return {
      item_id,
      score: ids.length - i,
      explanation: { kind: 'recently_viewed', items: [{ item_id, ...(d?.item_name ? { item_name: d.item_name } : {}), interaction: history.interaction.get(item_id) ?? 'viewed', weight: 1 }], categories: [], text: 'You viewed this recently' },
    }
  })
}
