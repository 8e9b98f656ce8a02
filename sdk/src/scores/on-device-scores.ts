/**
 * Purchase intent for the current session and return likelihood for the shopper, from the device's
 * own events. Both are transparent logistic scores over clickstream features — the shape of the
 * classic visit-level purchase models (Moe 2003, "Buying, searching, or browsing"; RFM recency /
 * frequency / monetary for churn) — with coefficients written out below so a shop can read them.
 * Computed and kept on the device; nothing here is stored or sent.
 */
import type { StoredEvent } from '../core/ga4.js'

/** A gap longer than this ends a session (the GA4 default). */
const SESSION_GAP_MS = 30 * 60 * 1000
const DAY = 24 * 3600 * 1000

/** Features of the current session. */
export interface SessionFeatures {
  readonly productViews: number
  /** Views of an item already viewed in this session (comparing, coming back to it). */
  readonly repeatViews: number
  readonly addToCarts: number
  readonly searches: number
  /** True when the session already ended in a purchase after its last add to cart. */
  readonly purchased: boolean
  readonly minutes: number
}

/** Features of the shopper's history across sessions (RFM). */
export interface ShopperFeatures {
  readonly sessions: number
  readonly purchases: number
  /** Days between the start of the current session and the end of the previous one (null: first). */
  readonly daysSincePreviousVisit: number | null
  /** Mean days between session starts (null with fewer than two sessions). */
  readonly meanDaysBetweenVisits: number | null
}

export interface OnDeviceScores {
  /** Probability in [0, 1] that this session ends in a purchase. */
  readonly purchaseIntent: number
  /** Probability in [0, 1] that the shopper comes back within 30 days (1 − churn risk). */
  readonly returnLikelihood: number
  readonly session: SessionFeatures
  readonly shopper: ShopperFeatures
}

/** Coefficients of the purchase-intent logit. Each add to cart is the strongest signal. */
export const INTENT_COEF = { bias: -3, view: 0.2, repeatView: 0.4, addToCart: 1.5, search: 0.25, returningBuyer: 0.6, alreadyPurchased: -2.5 } as const
/** Coefficients of the return-likelihood logit: frequency and purchases up, long absences down. */
export const RETURN_COEF = { bias: -1, logSessions: 0.9, purchase: 0.6, daysAway: -0.05, meanGap: -0.03 } as const

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))
const cap = (x: number, max: number): number => Math.min(x, max)

function sessionsOf(events: readonly StoredEvent[]): StoredEvent[][] {
  const out: StoredEvent[][] = []
  let last = -Infinity
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    if (e.ts - last > SESSION_GAP_MS || out.length === 0) out.push([])
    out[out.length - 1]!.push(e)
    last = e.ts
  }
  return out
}

function sessionFeatures(s: readonly StoredEvent[]): SessionFeatures {
  const seen = new Set<string>()
  let productViews = 0
  let repeatViews = 0
  let addToCarts = 0
  let searches = 0
  let lastCart = -1
  let lastPurchase = -1
  s.forEach((e, i) => {
    if (e.name === 'view_item') {
      for (const it of e.params.items ?? []) {
        productViews++
        if (seen.has(it.item_id)) repeatViews++
        seen.add(it.item_id)
      }
    } else if (e.name === 'add_to_cart') {
      addToCarts++
      lastCart = i
    } else if (e.name === 'search') searches++
    else if (e.name === 'purchase') lastPurchase = i
  })
  const minutes = s.length > 1 ? (s[s.length - 1]!.ts - s[0]!.ts) / 60000 : 0
  return { productViews, repeatViews, addToCarts, searches, purchased: lastPurchase > lastCart, minutes }
}

/**
 * Scores from the device's events. A shopper with no history gets the base rates.
 * @example const { purchaseIntent } = computeScores(await store.events())
 */
export function computeScores(events: readonly StoredEvent[], now = Date.now()): OnDeviceScores {
  const sessions = sessionsOf(events)
  const current = sessions.length > 0 && now - sessions[sessions.length - 1]!.at(-1)!.ts <= SESSION_GAP_MS ? sessions[sessions.length - 1]! : []
  const past = current.length > 0 ? sessions.slice(0, -1) : sessions
  const session = sessionFeatures(current)
  const purchases = events.filter((e) => e.name === 'purchase').length
  const pastPurchases = past.some((s) => s.some((e) => e.name === 'purchase'))
  const starts = sessions.map((s) => s[0]!.ts)
  const prevEnd = past.length > 0 ? past[past.length - 1]!.at(-1)!.ts : null
  const visitStart = current[0]?.ts ?? now
  const shopper: ShopperFeatures = {
    sessions: sessions.length,
    purchases,
    daysSincePreviousVisit: prevEnd === null ? null : (visitStart - prevEnd) / DAY,
    meanDaysBetweenVisits: starts.length >= 2 ? (starts[starts.length - 1]! - starts[0]!) / DAY / (starts.length - 1) : null,
  }
  const i = INTENT_COEF
  const intent = sigmoid(
    i.bias +
      i.view * cap(session.productViews, 10) +
      i.repeatView * cap(session.repeatViews, 3) +
      i.addToCart * cap(session.addToCarts, 3) +
      i.search * cap(session.searches, 3) +
      (pastPurchases ? i.returningBuyer : 0) +
      (session.purchased ? i.alreadyPurchased : 0),
  )
  const r = RETURN_COEF
  const ret = sigmoid(
    r.bias +
      r.logSessions * Math.log(Math.max(1, shopper.sessions)) +
      r.purchase * cap(purchases, 3) +
      r.daysAway * cap(shopper.daysSincePreviousVisit ?? 0, 60) +
      r.meanGap * cap(shopper.meanDaysBetweenVisits ?? 0, 60),
  )
  return { purchaseIntent: intent, returnLikelihood: ret, session, shopper }
}
