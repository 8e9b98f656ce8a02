import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { logAdd, logErfc, logExpm1 } from './log-math.js'
import { rdpSubsampledGaussian } from './rdp.js'

/** |a − b| ≤ rel·|b|. */
function expectClose(a: number, b: number, rel: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b))
}

describe('log-space helpers', () => {
  it('logErfc matches 50-digit values (mpmath) across the line and deep in the tail', () => {
    const cases: [number, number][] = [
      [0, 0],
      [0.5, -0.7350111298370844],
      [1, -1.8496055099332482],
      [5, -27.200889545537434],
      [30, -903.97411711064388], // erfc(30) itself underflows to 0
      [-2, 0.69080557364658766],
    ]
    for (const [x, want] of cases) expect(Math.abs(logErfc(x) - want)).toBeLessThan(1e-13 * Math.max(1, -want))
    expect(logErfc(Infinity)).toBe(-Infinity)
    expect(logErfc(-Infinity)).toBeCloseTo(Math.LN2, 15)
  })

  it('logErfc is exact on both sides of the hand-over from series to continued fraction', () => {
    expectClose(logErfc(1.4999999), -3.3844917386714815, 1e-14)
    expectClose(logErfc(1.5), -3.3844920895515527, 1e-14)
  })

  it('logAdd and logExpm1 keep digits at the extremes', () => {
    expectClose(logAdd(Math.log(2), Math.log(3)), Math.log(5), 1e-15)
    expect(logAdd(-Infinity, 7)).toBe(7)
    expect(logAdd(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12)
    expectClose(logExpm1(1e-14), Math.log(1e-14), 1e-12)
    expectClose(logExpm1(800), 800, 1e-15)
  })
})

describe('rdpSubsampledGaussian', () => {
  it('matches the exact binomial sum at integer orders (mpmath, 50 digits)', () => {
    expectClose(rdpSubsampledGaussian(0.01, 1.1, 8), 0.00058407033552025122, 1e-11)
    expectClose(rdpSubsampledGaussian(0.001, 0.8, 64), 42.98259781182767, 1e-12)
    expectClose(rdpSubsampledGaussian(0.2, 3, 300), 15.051846018739491, 1e-12)
  })

  it('keeps its digits with a lot of noise, where A_α = 1 + 1e-10', () => {
    // q²·α/(2z²)-ish regime; exact value from mpmath.
    expectClose(rdpSubsampledGaussian(0.01, 1000, 2), 1.0000004999501666e-10, 1e-9)
  })

  it("matches dp_accounting's fractional-order series", () => {
    // Values from dp_accounting's _compute_log_a_frac (scipy log_ndtr), retyped for this check.
    const cases: [number, number, number, number][] = [
      [0.01, 1.1, 2.5, 0.00016215219755508214],
      [0.1, 3, 10.5, 0.006815156568781185],
      [0.001, 0.8, 4.3, 8.271923587209234e-6],
      [0.3, 1.5, 3.7, 0.11354865218214452],
    ]
    for (const [q, z, a, want] of cases) expectClose(rdpSubsampledGaussian(q, z, a), want, 1e-9)
  })

  it('the fractional series tends to the integer sum as α approaches an integer', () => {
    for (const k of [2, 3, 7]) {
      expectClose(rdpSubsampledGaussian(0.05, 1.2, k + 1e-9), rdpSubsampledGaussian(0.05, 1.2, k), 1e-6)
    }
  })

  it('is the plain Gaussian α/(2z²) at q = 1, 0 at q = 0 and +∞ at z = 0', () => {
    expect(rdpSubsampledGaussian(1, 2, 3)).toBe(3 / 8)
    expect(rdpSubsampledGaussian(1, 0.7, 2.5)).toBeCloseTo(2.5 / (2 * 0.49), 14)
    expect(rdpSubsampledGaussian(0, 0, 5)).toBe(0)
    expect(rdpSubsampledGaussian(0.5, 0, 5)).toBe(Infinity)
  })

  it('never exceeds the unsampled mechanism and grows with the order', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 0.999, noNaN: true }),
        fc.double({ min: 0.3, max: 20, noNaN: true }),
        fc.integer({ min: 2, max: 200 }),
        (q, z, a) => {
          const r = rdpSubsampledGaussian(q, z, a)
          expect(r).toBeLessThanOrEqual((a / (2 * z * z)) * (1 + 1e-12))
          expect(r).toBeLessThanOrEqual(rdpSubsampledGaussian(q, z, a + 1) * (1 + 1e-12))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('rejects invalid input with a RangeError that names the value', () => {
    expect(() => rdpSubsampledGaussian(-0.1, 1, 2)).toThrow(/sampling rate q must be in \[0, 1\], got -0.1/)
    expect(() => rdpSubsampledGaussian(1.5, 1, 2)).toThrow(RangeError)
    expect(() => rdpSubsampledGaussian(Number.NaN, 1, 2)).toThrow(RangeError)
    expect(() => rdpSubsampledGaussian(0.1, -1, 2)).toThrow(/noise multiplier z must be a finite number ≥ 0, got -1/)
    expect(() => rdpSubsampledGaussian(0.1, Infinity, 2)).toThrow(RangeError)
    expect(() => rdpSubsampledGaussian(0.1, 1, 1)).toThrow(/Rényi order must be a finite number > 1, got 1/)
    expect(() => rdpSubsampledGaussian(0.1, 1, Infinity)).toThrow(RangeError)
  })
})
