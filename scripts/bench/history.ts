/** A shopper's 200-event history over the demo catalogue: the same events in Node and in the browser. */
import { mulberry32 } from '../../sdk/src/model/init-weights.js'

export interface HistoryEvent {
  readonly name: 'view_item' | 'add_to_cart'
  readonly itemId: string
}

export interface CatalogueItem {
  readonly sku: string
  readonly category: string
}

/**
 * `count` events of a shopper with a taste: 80 % of views in three favourite categories, the
 * rest anywhere; one view in six followed by an add-to-cart of the same item. Never the same
 * item twice in a row (the SDK collapses such repeats). Deterministic per seed.
 * @example syntheticHistory(products, 200).length // 200
 */
export function syntheticHistory(items: readonly CatalogueItem[], count = 200, seed = 7): HistoryEvent[] {
  if (items.length < 2) throw new Error('a history needs a catalogue of at least two items')
  const rand = mulberry32(seed)
  const cats = [...new Set(items.map((i) => i.category))]
  const favourite = new Set(Array.from({ length: Math.min(3, cats.length) }, (_, k) => cats[(k * 7 + seed) % cats.length]!))
  const liked = items.filter((i) => favourite.has(i.category))
  const out: HistoryEvent[] = []
  let last = ''
  while (out.length < count) {
    const pool = rand() < 0.8 && liked.length > 1 ? liked : items
    const item = pool[Math.floor(rand() * pool.length)]!
    if (item.sku === last) continue
    out.push({ name: 'view_item', itemId: item.sku })
    if (out.length < count && rand() < 1 / 6) out.push({ name: 'add_to_cart', itemId: item.sku })
    last = item.sku
  }
  return out
}
