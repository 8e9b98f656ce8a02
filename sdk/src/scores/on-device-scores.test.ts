import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { computeScores } from './on-device-scores.js'

const MIN = 60_000
const DAY = 24 * 60 * MIN
const ev = (name: StoredEvent['name'], ts: number, item_id = 'X'): StoredEvent => ({ name, ts, params: name === 'search' ? { search_term: 'q' } : { items: [{ item_id }] } })

describe('computeScores', () => {
  const now = 1000 * DAY
  it('gives a new shopper the base rates', () => {
    const s = computeScores([], now)
    expect(s.purchaseIntent).toBeCloseTo(1 / (1 + Math.exp(3)))
    expect(s.shopper).toEqual({ sessions: 0, purchases: 0, daysSincePreviousVisit: null, meanDaysBetweenVisits: null })
  })
  it('raises purchase intent with views, repeat views and adds to cart; a finished purchase lowers it', () => {
    const browse = [ev('view_item', now - 5 * MIN, 'A'), ev('view_item', now - 4 * MIN, 'B')]
    const compare = [...browse, ev('view_item', now - 3 * MIN, 'A')]
    const cart = [...compare, ev('add_to_cart', now - 2 * MIN, 'A')]
    const bought = [...cart, ev('purchase', now - MIN, 'A')]
    const [a, b, c, d] = [browse, compare, cart, bought].map((e) => computeScores(e, now).purchaseIntent)
    expect(a).toBeLessThan(b!)
    expect(b).toBeLessThan(c!)
    expect(d).toBeLessThan(c!)
    expect(computeScores(compare, now).session).toMatchObject({ productViews: 3, repeatViews: 1, addToCarts: 0 })
  })
  it('counts only the current session for intent', () => {
    const old = [ev('add_to_cart', now - 2 * DAY), ev('add_to_cart', now - 2 * DAY + MIN)]
    expect(computeScores(old, now).session.addToCarts).toBe(0)
  })
  it('return likelihood grows with visits and purchases, falls with a long absence', () => {
    const visits = (n: number, gapDays: number, buy: boolean) => Array.from({ length: n }, (_, i) => ev(buy ? 'purchase' : 'view_item', now - (n - i) * gapDays * DAY))
    const one = computeScores(visits(1, 1, false), now).returnLikelihood
    const five = computeScores(visits(5, 1, false), now).returnLikelihood
    const buyer = computeScores(visits(5, 1, true), now).returnLikelihood
    const lapsed = computeScores([...visits(5, 1, false).map((e) => ({ ...e, ts: e.ts - 50 * DAY })), ev('view_item', now)], now).returnLikelihood
    expect(one).toBeLessThan(five)
    expect(five).toBeLessThan(buyer)
    expect(lapsed).toBeLessThan(five)
    expect(computeScores(visits(3, 2, false), now).shopper.meanDaysBetweenVisits).toBeCloseTo(2)
  })
})
