import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../sdk/src/model/index.js'
import { ARCHETYPES, heldOutSessions, personaFor, planSession, priceRanks, type SimProduct } from './personas.js'

const products = JSON.parse(readFileSync(join(import.meta.dirname, '../../demo-shop/data/products.json'), 'utf8')) as SimProduct[]

describe('personas', () => {
  it('are distinct, with weights that sum to 1 over categories the catalogue has', () => {
    const ps = Array.from({ length: 2 * ARCHETYPES.length }, (_, i) => personaFor(i, 7))
    expect(new Set(ps.map((p) => JSON.stringify(p))).size).toBe(ps.length)
    const cats = new Set(products.map((p) => p.category))
    for (const p of ps) {
      expect(Object.values(p.categories).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
      for (const c of Object.keys(p.categories)) expect(cats.has(c), c).toBe(true)
    }
  })

  it('browse mostly their favourite categories, near their preferred price', () => {
    const ranks = priceRanks(products)
    for (const [i, target] of [[7, 'cheap'], [1, 'dear']] as const) {
      const persona = personaFor(i, 3)
      const rnd = mulberry32(11)
      const views = Array.from({ length: 200 }, () => planSession(persona, products, rnd, ranks).views).flat()
      const mine = views.filter((p) => p.category in persona.categories).length
      expect(mine / views.length).toBeGreaterThan(0.85)
      const meanRank = views.reduce((n, p) => n + ranks.get(p.id)!, 0) / views.length
      if (target === 'cheap') expect(meanRank).toBeLessThan(0.4)
      else expect(meanRank).toBeGreaterThan(0.6)
    }
  })

  it('plan sessions of 3–7 views with something in the cart, reproducibly from the seed', () => {
    const persona = personaFor(2, 5)
    const a = planSession(persona, products, mulberry32(9))
    const b = planSession(persona, products, mulberry32(9))
    expect(a).toEqual(b)
    for (let s = 0; s < 50; s++) {
      const plan = planSession(persona, products, mulberry32(s))
      expect(plan.views.length).toBeGreaterThanOrEqual(3)
      expect(plan.views.length).toBeLessThanOrEqual(7)
      expect(plan.addToCart.length).toBeGreaterThan(0)
      for (const p of plan.addToCart) expect(plan.views).toContain(p)
    }
  })

  it('give held-out sessions from their own seed, different from the browsed ones', () => {
    const ps = [personaFor(0, 1), personaFor(1, 1)]
    const held = heldOutSessions(ps, products, 5, 99)
    expect(held).toHaveLength(10)
    expect(heldOutSessions(ps, products, 5, 99)).toEqual(held)
    expect(heldOutSessions(ps, products, 5, 100)).not.toEqual(held)
  })

  it('refuse a persona whose categories the catalogue lacks', () => {
    expect(() => planSession({ name: 'x', categories: { boats: 1 }, priceTarget: 0.5, query: 'boat' }, products, mulberry32(1))).toThrow(/likes no category/)
  })
})
