import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../core/ga4.js'
import { buildProfile } from './preference-profile.js'

const DAY = 24 * 3600 * 1000
const ev = (name: StoredEvent['name'], ts: number, item_category: string, price: number): StoredEvent => ({ name, ts, params: { items: [{ item_id: `${item_category}-${price}`, item_category, price }] } })

describe('buildProfile', () => {
  const now = 100 * DAY
  it('weights actions over views and sums shares to one', () => {
    const p = buildProfile([ev('view_item', now, 'shoes', 60), ev('view_item', now, 'hats', 20), ev('add_to_cart', now, 'hats', 20)])
    expect(p.categories.map((c) => [c.key, c.weight])).toEqual([['hats', 0.8], ['shoes', 0.2]])
    expect(p.priceBands.map((b) => b.key)).toEqual(['under 10', '10–25', '25–50', '50–100', '100–250', '250 and over'])
    expect(p.priceBands[1]!.weight).toBeCloseTo(0.8)
    expect(p.priceBands[3]!.weight).toBeCloseTo(0.2)
    expect(p.basedOn).toEqual({ events: 3, since: now })
  })
  it('halves old interest every half-life and ignores impressions', () => {
    const p = buildProfile([ev('view_item', now - 14 * DAY, 'old', 5), ev('view_item', now, 'new', 5), ev('view_item_list', now, 'shown', 5)])
    expect(p.categories.map((c) => [c.key, +c.weight.toFixed(3)])).toEqual([['new', 0.667], ['old', 0.333]])
  })
  it('is empty for a new shopper', () => {
    expect(buildProfile([])).toMatchObject({ categories: [], basedOn: { events: 0, since: null } })
  })
})
