import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildNeighbourGraph, neighbourDegree, shareThreshold } from './graph.js'

describe('neighbour graph', () => {
  it('is symmetric, loop-free and k-regular (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 60 }), fc.integer({ min: 1, max: 15 }), (n, half) => {
        const k = Math.min(2 * half, n - 1)
        const members = [...Array(n).keys()].map((i) => i * 3 + 1)
        const g = buildNeighbourGraph(members, k)
        expect([...g.keys()].sort((a, b) => a - b)).toEqual(members)
        for (const [u, ns] of g) {
          expect(ns).not.toContain(u)
          expect(new Set(ns).size).toBe(ns.length)
          expect(ns.length).toBe(k >= n - 1 ? n - 1 : k)
          for (const v of ns) expect(g.get(v)).toContain(u)
        }
      }),
    )
  })

  it('is complete for small cohorts (the original SecAgg) and grows logarithmically', () => {
    expect(neighbourDegree(10)).toBe(9)
    expect(neighbourDegree(100)).toBe(99)
    const k3 = neighbourDegree(1_000)
    const k4 = neighbourDegree(10_000)
    const k6 = neighbourDegree(1_000_000)
    expect(k3).toBeLessThan(1_000 - 1)
    // Each factor of 10 in n adds about the same to k: k = Θ(log n).
    expect(k4 - k3).toBeGreaterThan(0)
    expect(Math.abs(k6 - k4 - 2 * (k4 - k3))).toBeLessThanOrEqual(8)
    expect(k6).toBeLessThan(500)
  })

  it('shares with a strict majority threshold', () => {
    expect([1, 2, 3, 9, 10].map(shareThreshold)).toEqual([1, 2, 2, 5, 6])
  })

  it('draws a different order each time', () => {
    const members = [...Array(40).keys()]
    const a = buildNeighbourGraph(members, 4)
    const b = buildNeighbourGraph(members, 4)
    expect(members.some((u) => a.get(u)!.join() !== b.get(u)!.join())).toBe(true)
  })
})
