/**
 * Simulated shoppers: personas (favourite categories with weights, a price preference) and the
 * shopping sessions they produce. Pure and seeded, so the same persona browses the store in the
 * simulation and generates the held-out validation sessions. Entirely synthetic: no real data.
 */
import { mulberry32 } from '../../sdk/src/model/index.js'

/** The fields of a catalogue product a persona looks at. */
export interface SimProduct {
  readonly id: number
  readonly sku: string
  readonly category: string
  readonly price: number
}

/** A shopper's tastes. */
export interface Persona {
  readonly name: string
  /** Favourite categories and their weights (summing to 1). */
  readonly categories: Readonly<Record<string, number>>
  /** Preferred price position within a category: 0 = cheapest, 1 = dearest. */
  readonly priceTarget: number
  /** A word the persona searches for. */
  readonly query: string
}

/** One planned visit: products viewed in order, which of them go in the cart, and whether they buy. */
export interface SessionPlan {
  readonly views: readonly SimProduct[]
  readonly addToCart: readonly SimProduct[]
  readonly purchase: boolean
  readonly search: string | null
}

/** Archetypes the simulated population is drawn from (category slugs of the demo catalogue). */
export const ARCHETYPES: readonly Persona[] = [
  { name: 'home cook', categories: { 'kitchen-accessories': 0.7, groceries: 0.3 }, priceTarget: 0.2, query: 'pan' },
  { name: 'tech fan', categories: { smartphones: 0.5, 'mobile-accessories': 0.3, laptops: 0.1, tablets: 0.1 }, priceTarget: 0.85, query: 'apple' },
  { name: 'athlete', categories: { 'sports-accessories': 0.8, 'mens-shoes': 0.2 }, priceTarget: 0.5, query: 'ball' },
  { name: 'fashionista', categories: { 'womens-dresses': 0.3, 'womens-shoes': 0.25, 'womens-bags': 0.25, 'womens-jewellery': 0.2 }, priceTarget: 0.8, query: 'dress' },
  { name: 'dapper', categories: { 'mens-shirts': 0.35, 'mens-watches': 0.35, sunglasses: 0.3 }, priceTarget: 0.6, query: 'shirt' },
  { name: 'beauty lover', categories: { beauty: 0.4, 'skin-care': 0.3, fragrances: 0.3 }, priceTarget: 0.3, query: 'cream' },
  { name: 'home maker', categories: { furniture: 0.4, 'home-decoration': 0.4, 'kitchen-accessories': 0.2 }, priceTarget: 0.5, query: 'chair' },
  { name: 'grocer', categories: { groceries: 1 }, priceTarget: 0.15, query: 'meat' },
  { name: 'motorist', categories: { vehicle: 0.5, motorcycle: 0.5 }, priceTarget: 0.3, query: 'motorcycle' },
  { name: 'phone saver', categories: { smartphones: 0.6, 'mobile-accessories': 0.4 }, priceTarget: 0.1, query: 'charger' },
]

/** Probability that a view wanders outside the persona's favourite categories. */
const WANDER = 0.1

/**
 * The i-th simulated shopper: archetype i mod K, with its own jitter of weights and price target
 * so that no two shoppers are the same.
 * @example personaFor(0, 42).name // 'home cook #1'
 */
export function personaFor(i: number, seed: number): Persona {
  const base = ARCHETYPES[i % ARCHETYPES.length]!
  const rnd = mulberry32(seed * 7919 + i)
  const raw = Object.entries(base.categories).map(([c, w]) => [c, w * (0.6 + 0.8 * rnd())] as const)
  const total = raw.reduce((n, [, w]) => n + w, 0)
  return {
    name: `${base.name} #${Math.floor(i / ARCHETYPES.length) + 1}`,
    categories: Object.fromEntries(raw.map(([c, w]) => [c, w / total])),
    priceTarget: Math.min(1, Math.max(0, base.priceTarget + (rnd() - 0.5) * 0.3)),
    query: base.query,
  }
}

function pickWeighted<T>(items: readonly T[], weight: (t: T) => number, rnd: () => number): T {
  const ws = items.map(weight)
  let r = rnd() * ws.reduce((a, b) => a + b, 0)
  for (let i = 0; i < items.length; i++) {
    r -= ws[i]!
    if (r <= 0) return items[i]!
  }
  return items[items.length - 1]!
}

/** Each product's price position within its category (0 = cheapest, 1 = dearest). */
export function priceRanks(products: readonly SimProduct[]): Map<number, number> {
  const out = new Map<number, number>()
  const byCat = new Map<string, SimProduct[]>()
  for (const p of products) byCat.set(p.category, [...(byCat.get(p.category) ?? []), p])
  for (const list of byCat.values()) {
    const sorted = [...list].sort((a, b) => a.price - b.price)
    sorted.forEach((p, i) => out.set(p.id, sorted.length === 1 ? 0.5 : i / (sorted.length - 1)))
  }
  return out
}

/**
 * One shopping session of a persona: 3–7 product views, mostly in one favourite category and
 * near the preferred price, one or two of them added to the cart, a purchase half the time.
 * @example planSession(personaFor(0, 1), products, mulberry32(1))
 */
export function planSession(persona: Persona, products: readonly SimProduct[], rnd: () => number, ranks = priceRanks(products)): SessionPlan {
  const cats = Object.keys(persona.categories).filter((c) => products.some((p) => p.category === c))
  if (cats.length === 0) throw new Error(`persona ${persona.name} likes no category of this catalogue`)
  const home = pickWeighted(cats, (c) => persona.categories[c]!, rnd)
  const length = 3 + Math.floor(rnd() * 5)
  const views: SimProduct[] = []
  for (let k = 0; k < length; k++) {
    const wander = rnd() < WANDER
    const cat = wander ? pickWeighted(cats, (c) => persona.categories[c]!, rnd) : home
    const pool = products.filter((p) => p.category === cat && p !== views[views.length - 1])
    if (pool.length === 0) continue
    // Closer to the preferred price position is likelier (a Gaussian of width 0.25).
    views.push(pickWeighted(pool, (p) => Math.exp(-((ranks.get(p.id)! - persona.priceTarget) ** 2) / (2 * 0.25 ** 2)), rnd))
  }
  const addToCart = views.filter(() => rnd() < 0.3).slice(0, 2)
  if (addToCart.length === 0 && views.length > 0) addToCart.push(views[views.length - 1]!)
  return { views, addToCart, purchase: rnd() < 0.5, search: rnd() < 0.3 ? persona.query : null }
}

/**
 * Held-out validation sessions: `perPersona` sessions of each of `personas`, from their own
 * seed, as the item-id sequences a device would have recorded. Never browsed by anyone.
 * @example heldOutSessions([personaFor(0, 1)], products, 5, 99)
 */
export function heldOutSessions(personas: readonly Persona[], products: readonly SimProduct[], perPersona: number, seed: number): SimProduct[][] {
  const rnd = mulberry32(seed)
  const ranks = priceRanks(products)
  return personas.flatMap((p) => Array.from({ length: perPersona }, () => planSession(p, products, rnd, ranks).views.slice()))
}
