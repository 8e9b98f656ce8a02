import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Conversion,
  computeEpsilon,
  computeNoiseMultiplier,
  NOISE_SEARCH_DEFAULTS,
  UnreachableTargetError,
} from './index.js'

describe('computeNoiseMultiplier', () => {
  it("finds TF Privacy's MNIST noise multiplier 1.1 for ε = 3.01 (classic conversion)", () => {
    const query = { q: 256 / 60000, rounds: 14062, delta: 1e-5, conversion: Conversion.Classic }
    const z = computeNoiseMultiplier({ ...query, epsilon: 3.01 })
    expect(z).toBeCloseTo(1.1, 2)
    expect(computeEpsilon({ ...query, noiseMultiplier: z }).epsilon).toBeLessThanOrEqual(3.01)
  })

  it('returns the smallest z meeting the target, within the tolerance', () => {
    const run = { q: 0.01, rounds: 1000, delta: 1e-6 }
    const z = computeNoiseMultiplier({ ...run, epsilon: 1 })
    expect(computeEpsilon({ ...run, noiseMultiplier: z }).epsilon).toBeLessThanOrEqual(1)
    const below = z * (1 - 2 * NOISE_SEARCH_DEFAULTS.tolerance)
    expect(computeEpsilon({ ...run, noiseMultiplier: below }).epsilon).toBeGreaterThan(1)
  })

  it('round-trips: the noise for ε(z) is z (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        (q, z, rounds) => {
          const delta = 1e-5
          const { epsilon } = computeEpsilon({ q, noiseMultiplier: z, rounds, delta })
          const back = computeNoiseMultiplier({ q, rounds, delta, epsilon })
          expect(back).toBeLessThanOrEqual(z * (1 + 2e-6))
          expect(Math.abs(back - z) / z).toBeLessThan(1e-4)
        },
      ),
      { numRuns: 15 },
    )
  })

  it('asks for less noise when more ε is allowed', () => {
    const run = { q: 0.05, rounds: 200, delta: 1e-5 }
    const strict = computeNoiseMultiplier({ ...run, epsilon: 2 })
    const loose = computeNoiseMultiplier({ ...run, epsilon: 8 })
    expect(loose).toBeLessThan(strict)
  })

  it('needs no noise when nothing is released', () => {
    expect(computeNoiseMultiplier({ q: 0, rounds: 100, delta: 1e-5, epsilon: 0.1 })).toBe(0)
    expect(computeNoiseMultiplier({ q: 0.5, rounds: 0, delta: 1e-5, epsilon: 0.1 })).toBe(0)
  })

  it('says clearly when the target cannot be reached', () => {
    // The classic conversion never goes below log(1/δ)/(α_max − 1) ≈ 0.0113 at δ = 1e-5.
    const unreachable = (): number =>
      computeNoiseMultiplier({ q: 0.5, rounds: 10, delta: 1e-5, epsilon: 0.005, conversion: Conversion.Classic })
    expect(unreachable).toThrow(UnreachableTargetError)
    expect(unreachable).toThrow(RangeError)
    expect(unreachable).toThrow(/target epsilon 0.005 is out of reach .* never drops below/)
  })

  it('rejects invalid input with a RangeError', () => {
    const ok = { q: 0.01, rounds: 10, delta: 1e-5, epsilon: 1 }
    expect(() => computeNoiseMultiplier({ ...ok, epsilon: 0 })).toThrow(/target epsilon must be a finite number > 0/)
    expect(() => computeNoiseMultiplier({ ...ok, epsilon: Infinity })).toThrow(RangeError)
    expect(() => computeNoiseMultiplier({ ...ok, q: -1 })).toThrow(/sampling rate q/)
    expect(() => computeNoiseMultiplier({ ...ok, rounds: 0.5 })).toThrow(/rounds must be an integer/)
    expect(() => computeNoiseMultiplier({ ...ok, delta: 2 })).toThrow(/delta must be in/)
    expect(() => computeNoiseMultiplier({ ...ok, tolerance: 0 })).toThrow(/tolerance must be in \(0, 1\)/)
  })
})
