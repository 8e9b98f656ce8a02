/** The demo catalogue fixture (../data/products.json, MIT, DummyJSON) and the shop's view of it. */

/** A product as the demo store uses it. */
export interface Product {
  readonly id: number
  readonly sku: string
  readonly title: string
  readonly description: string
  readonly category: string
  readonly price: number
  readonly brand: string
  readonly rating: number
  readonly stock: number
  readonly tags: readonly string[]
}

/** Keeps the fields the store shows; drops reviewer names and e-mails and unreachable image URLs. */
export function toProduct(raw: Record<string, unknown>): Product {
  return {
    id: Number(raw.id),
    sku: String(raw.sku),
    title: String(raw.title),
    description: String(raw.description ?? ''),
    category: String(raw.category),
    price: Number(raw.price),
    brand: String(raw.brand ?? ''),
    rating: Number(raw.rating ?? 0),
    stock: Number(raw.stock ?? 0),
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
  }
}

/** Categories in first-seen order; index + 1 is the model's category index (0 = unknown). */
export function categoriesOf(products: readonly Product[]): string[] {
  return [...new Set(products.map((p) => p.category))]
}
