/**
 * The shopper's preference profile: how much of their recent attention went to each category and
 * price band. Computed on the device from the device's own events, shown to the shopper, never sent.
 */
import type { StoredEvent } from '../core/ga4.js'

/** One category or price band and the share of the shopper's (decayed) interest it holds. */
export interface Affinity {
  /** The category name, or the price band's label. */
  readonly key: string
  /** Share of interest in [0, 1]; the shares of a list sum to 1. */
  readonly weight: number
  /** How many events contributed. */
  readonly events: number
}

export interface PriceBandAffinity extends Affinity {
  /** Inclusive lower bound of the band. */
  readonly min: number
  /** Exclusive upper bound (Infinity for the top band). */
  readonly max: number
}

export interface PreferenceProfile {
  /** Most preferred first. */
  readonly categories: readonly Affinity[]
  /** In price order. */
  readonly priceBands: readonly PriceBandAffinity[]
  /** Events the profile is built from, and the time of the oldest. */
  readonly basedOn: { readonly events: number; readonly since: number | null }
}

export interface ProfileOptions {
  /** Upper edges of the price bands, ascending. Default 10, 25, 50, 100, 250. */
  readonly priceEdges?: readonly number[]
  /** Interest halves every this many milliseconds. Default 14 days. */
  readonly halfLifeMs?: number
}

/**
 * Weight of each event kind: acting on an item says more than looking at it. Impressions
 * (`view_item_list`) are what the shop showed, not what the shopper chose, so they count nothing.
 */
export const INTEREST_WEIGHT: Readonly<Partial<Record<StoredEvent['name'], number>>> = {
  view_item: 1,
  select_item: 1,
  add_to_cart: 3,
  purchase: 5,
}

const DEFAULT_EDGES = [10, 25, 50, 100, 250] as const
const DAY = 24 * 3600 * 1000

function bandLabel(min: number, max: number): string {
  if (min === 0) return `under ${max}`
  if (max === Infinity) return `${min} and over`
  return `${min}–${max}`
}

function normalise<T extends { weight: number }>(xs: T[]): T[] {
  const total = xs.reduce((s, x) => s + x.weight, 0)
  return total > 0 ? xs.map((x) => ({ ...x, weight: x.weight / total })) : xs
}

/**
 * Category and price-band affinities from events, with exponential time decay.
 * @example buildProfile(events).categories[0] // { key: 'smartphones', weight: 0.62, events: 9 }
 */
export function buildProfile(events: readonly StoredEvent[], opts: ProfileOptions = {}): PreferenceProfile {
  // Decay is measured back from the newest event: shares are relative, so this equals decaying
  // from now, without underflowing to zero for a shopper who has been away a long time.
  const now = events.reduce((m, e) => Math.max(m, e.ts), -Infinity)
  const halfLife = opts.halfLifeMs ?? 14 * DAY
  const edges = [0, ...(opts.priceEdges ?? DEFAULT_EDGES), Infinity]
  const cats = new Map<string, { weight: number; events: number }>()
  const bands = edges.slice(0, -1).map((min, i) => ({ key: bandLabel(min, edges[i + 1]!), min, max: edges[i + 1]!, weight: 0, events: 0 }))
  let counted = 0
  let since: number | null = null
  for (const e of events) {
    const base = INTEREST_WEIGHT[e.name]
    if (!base) continue
    counted++
    since = since === null ? e.ts : Math.min(since, e.ts)
    const w = base * 0.5 ** (Math.max(0, now - e.ts) / halfLife)
    for (const it of e.params.items ?? []) {
      if (typeof it.item_category === 'string' && it.item_category) {
        const c = cats.get(it.item_category) ?? { weight: 0, events: 0 }
        c.weight += w
        c.events++
        cats.set(it.item_category, c)
      }
      if (typeof it.price === 'number' && Number.isFinite(it.price) && it.price >= 0) {
        const band = bands.find((b) => it.price! >= b.min && it.price! < b.max)!
        band.weight += w
        band.events++
      }
    }
  }
  const categories = normalise([...cats.entries()].map(([key, c]) => ({ key, weight: c.weight, events: c.events }))).sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key))
  return { categories, priceBands: normalise(bands), basedOn: { events: counted, since } }
}
