import { describe, expect, it } from 'vitest'
import { neighbourDegree } from '../../aggregator/src/secagg/index.js'
import { clientCost, unmaskEstimate } from './secagg.js'

describe('secagg bench helpers', () => {
  it('counts the server’s masks as the protocol does', () => {
    const u = { maskMs: 1, shamirMs: 0, agreeMs: 0 }
    // No dropouts: one self mask per client, no pair masks.
    expect(unmaskEstimate(10, 0, u)).toBe(10)
    // 3 of 10 drop (complete graph, k = 9): 7 self masks + 3 × 7 pair masks.
    expect(unmaskEstimate(10, 0.3, u)).toBe(7 + 3 * 7)
    // Sparse: each dropout's surviving neighbours ≈ k × survivors / (n − 1).
    const k = neighbourDegree(1000)
    expect(unmaskEstimate(1000, 0.1, u)).toBe(900 + 100 * Math.round((k * 900) / 999))
  })

  it('measures a real client run and counts every byte it sends', async () => {
    const c = await clientCost(10, 1000)
    expect(c.degree).toBe(9)
    expect(c.ms).toBeGreaterThan(0)
    // The masked vector (16-byte token + 4 bytes per word) plus keys, 9 sealed bundles and 9 shares.
    expect(c.bytes).toBeGreaterThan(16 + 4000 + 9 * (164 + 66))
    expect(c.bytes).toBeLessThan(16 + 4000 + 9 * 2 * 400 + 1000)
  })
})
