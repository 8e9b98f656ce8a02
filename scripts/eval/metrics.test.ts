/** Hand-computed cases for the ranking metrics, ties included. */

import { describe, expect, it } from 'vitest'
import { fullDomain, MetricSums, rankOf, type RankDomain } from './metrics.js'

const f32 = (...xs: number[]): Float32Array => Float32Array.from(xs)

describe('rankOf', () => {
  it('counts strictly better items', () => {
    // ids 1..4 (slot 0 unused): scores 0.1, 0.9, 0.5, 0.3
    const s = f32(0, 0.1, 0.9, 0.5, 0.3)
    const d = fullDomain(4)
    expect(rankOf(s, 2, d)).toBe(1)
    expect(rankOf(s, 3, d)).toBe(2)
    expect(rankOf(s, 4, d)).toBe(3)
    expect(rankOf(s, 1, d)).toBe(4)
  })

  it('puts tied items with a smaller id above the target, larger ids below', () => {
    // all of 1..5 score 1: the list a stable sort shows is 1, 2, 3, 4, 5
    const s = f32(0, 1, 1, 1, 1, 1)
    const d = fullDomain(5)
    expect([1, 2, 3, 4, 5].map((t) => rankOf(s, t, d))).toEqual([1, 2, 3, 4, 5])
    // a zero-score model does not get rank 1 for free
    const zeros = new Float32Array(6)
    expect(rankOf(zeros, 5, d)).toBe(5)
  })

  it('mixes ties and strict order', () => {
    // id: 1→0.5, 2→0.7, 3→0.5, 4→0.5, 5→0.9. Target 3: above are 5, 2 (better) and 1 (tie, smaller id)
    const s = f32(0, 0.5, 0.7, 0.5, 0.5, 0.9)
    expect(rankOf(s, 3, fullDomain(5))).toBe(4)
    expect(rankOf(s, 4, fullDomain(5))).toBe(5)
  })

  it('returns Infinity beyond the limit', () => {
    const s = new Float32Array(31)
    for (let i = 1; i <= 30; i++) s[i] = 31 - i // id 1 best … id 30 worst
    const d = fullDomain(30)
    expect(rankOf(s, 20, d)).toBe(20)
    expect(rankOf(s, 21, d)).toBe(Infinity)
    expect(rankOf(s, 21, d, 30)).toBe(21)
  })

  it('ranks only the catalogue of a non-contiguous domain', () => {
    // catalogue {2, 5, 7}; id 3 scores highest but is not an item of the catalogue
    const domain: RankDomain = { catalogue: Int32Array.of(2, 5, 7), seen: Uint8Array.of(0, 0, 1, 0, 0, 1, 0, 1) }
    const s = f32(0, 0, 0.2, 9, 0, 0.2, 0, 0.1)
    expect(rankOf(s, 2, domain)).toBe(1)
    expect(rankOf(s, 5, domain)).toBe(2) // tie with 2, larger id
    expect(rankOf(s, 7, domain)).toBe(3)
    expect(rankOf(s, 3, domain)).toBe(Infinity) // not in the catalogue: a miss
  })

  it('treats unseen targets, NaN and -Infinity scores as misses', () => {
    const d = fullDomain(3)
    expect(rankOf(f32(0, 1, 2, 3), 9, d)).toBe(Infinity)
    expect(rankOf(f32(0, 1, 2, 3), 0, d)).toBe(Infinity)
    expect(rankOf(f32(0, 1, Number.NaN, 3), 2, d)).toBe(Infinity)
    expect(rankOf(f32(0, 1, -Infinity, 3), 2, d)).toBe(Infinity)
  })
})

describe('MetricSums', () => {
  it('matches hand-computed HR, MRR and NDCG in percent', () => {
    const m = new MetricSums()
    for (const r of [1, 2, 5, 11, 25, Infinity]) m.add(r)
    const res = m.result()
    const n = 6
    expect(res.cases).toBe(n)
    expect(res.p20).toBeCloseTo((100 * 4) / n, 10) // 1, 2, 5, 11
    expect(res.hr10).toBeCloseTo((100 * 3) / n, 10) // 1, 2, 5
    expect(res.mrr20).toBeCloseTo((100 * (1 + 1 / 2 + 1 / 5 + 1 / 11)) / n, 10)
    const g = (r: number): number => 1 / Math.log2(r + 1)
    expect(res.ndcg20).toBeCloseTo((100 * (g(1) + g(2) + g(5) + g(11))) / n, 10)
    expect(res.ndcg10).toBeCloseTo((100 * (g(1) + g(2) + g(5))) / n, 10)
  })

  it('counts rank 20 in and rank 21 out; empty sums are zero', () => {
    const m = new MetricSums()
    m.add(20)
    m.add(21)
    expect(m.result().p20).toBe(50)
    expect(m.result().mrr20).toBeCloseTo(100 / 20 / 2, 10)
    expect(new MetricSums().result().p20).toBe(0)
  })
})
