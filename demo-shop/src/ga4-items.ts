/** The store's products as GA4 items (for events) and as SDK candidates (for widgets). */
import type { Candidate, Ga4Item } from '../../sdk/src/entrypoints/sdk.js'
import type { Product } from './catalog-data.js'

/** Product page URL. */
export const productUrl = (p: Pick<Product, 'id'>): string => `/product.html?id=${p.id}`
/** Drawn product image URL. */
export const imageUrl = (p: Pick<Product, 'id'>): string => `/img/${p.id}.svg`

/**
 * A product as a GA4 ecommerce item, with extra fields such as `quantity` or `index`.
 * @example ga4Item(p, { quantity: 2 })
 */
export function ga4Item(p: Product, extra: Partial<Ga4Item> = {}): Ga4Item {
  return { item_id: p.sku, item_name: p.title, item_category: p.category, item_brand: p.brand, price: p.price, ...extra }
}

/** A product as a candidate for an SDK widget. */
export function candidate(p: Product): Candidate {
  return { item_id: p.sku, item_name: p.title, item_category: p.category, price: p.price, url: productUrl(p), image: imageUrl(p) }
}
