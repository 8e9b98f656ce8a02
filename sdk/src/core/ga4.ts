/** GA4 ecommerce event names and item fields the SDK records (https://developers.google.com/analytics/devguides/collection/ga4/reference/events). */

/** Event names the SDK records, as GA4 spells them. */
export const EventName = {
  ViewItem: 'view_item',
  ViewItemList: 'view_item_list',
  SelectItem: 'select_item',
  AddToCart: 'add_to_cart',
  Purchase: 'purchase',
  Search: 'search',
} as const
export type EventName = (typeof EventName)[keyof typeof EventName]

/** A GA4 item (the subset of fields the SDK uses; others are kept as given). */
export interface Ga4Item {
  readonly item_id: string
  readonly item_name?: string
  readonly item_category?: string
  readonly item_brand?: string
  readonly price?: number
  readonly quantity?: number
  readonly index?: number
  readonly item_list_id?: string
  readonly item_list_name?: string
}

/** Parameters of a GA4 ecommerce event. */
export interface EventParams {
  readonly items?: readonly Ga4Item[]
  readonly search_term?: string
  readonly currency?: string
  readonly value?: number
  readonly transaction_id?: string
  readonly item_list_id?: string
  readonly item_list_name?: string
}

/** An event as stored on the device. */
export interface StoredEvent {
  readonly name: EventName
  /** Unix milliseconds. */
  readonly ts: number
  readonly params: EventParams
}

const NAMES = new Set<string>(Object.values(EventName))

/**
 * Checks an event the page passes in, returning a clean copy or a reason it was refused.
 * @example normalizeEvent('view_item', { items: [{ item_id: 'SKU-1' }] })
 */
export function normalizeEvent(name: unknown, params: unknown, now = Date.now()): StoredEvent | string {
  if (typeof name !== 'string' || !NAMES.has(name)) return `unknown event name ${JSON.stringify(name)}; expected one of ${[...NAMES].join(', ')}`
  const p = (params ?? {}) as Record<string, unknown>
  if (typeof p !== 'object') return 'event parameters must be an object'
  const items: Ga4Item[] = []
  if (p.items !== undefined) {
    if (!Array.isArray(p.items)) return 'items must be an array'
    for (const it of p.items as unknown[]) {
      const item = it as Record<string, unknown>
      if (!item || (typeof item.item_id !== 'string' && typeof item.item_id !== 'number')) return 'every item needs an item_id'
      items.push({ ...(item as object), item_id: String(item.item_id) } as Ga4Item)
    }
  }
  if ((name === 'view_item' || name === 'select_item' || name === 'add_to_cart' || name === 'purchase') && items.length === 0) {
    return `${name} needs at least one item`
  }
  if (name === 'search' && typeof p.search_term !== 'string') return 'search needs a search_term string'
  const clean: EventParams = { ...(p as EventParams), ...(p.items !== undefined ? { items } : {}) }
  return { name: name as EventName, ts: now, params: clean }
}
