import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clipInPlace, l2Norm, sumOfSquares } from './clip.js'

describe('clipInPlace', () => {
  it('never leaves a norm above the bound (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (xs, c) => {
          const v = Float32Array.from(xs)
          clipInPlace(v, c)
          expect(l2Norm(v)).toBeLessThanOrEqual(c)
        },
      ),
    )
  })

  it('leaves a vector inside the bound untouched', () => {
    const v = Float32Array.from([0.3, 0.4])
    expect(clipInPlace(v, 1)).toEqual({ norm: expect.closeTo(0.5, 6), scale: 1 })
    expect(Array.from(v)).toEqual([Math.fround(0.3), Math.fround(0.4)])
  })

  it('refuses a non-positive bound', () => {
    expect(() => clipInPlace(new Float32Array(2), 0)).toThrow(RangeError)
  })
})

describe('sumOfSquares', () => {
  it('equals the one-accumulator sum up to float64 rounding, for every length (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 40 }), (xs) => {
        const v = Float32Array.from(xs)
        let naive = 0
        for (const x of v) naive += x * x
        expect(Math.abs(sumOfSquares(v) - naive)).toBeLessThanOrEqual(1e-12 * naive)
      }),
    )
  })

  it('is finite exactly when every value is, wherever the bad value sits', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (let at = 0; at < 7; at++) {
        const v = new Float32Array(7).fill(3.4e38)
        v[at] = bad
        expect(Number.isFinite(sumOfSquares(v)), `${bad} at ${at}`).toBe(false)
      }
    }
    expect(Number.isFinite(sumOfSquares(new Float32Array(1000).fill(3.4e38))), 'largest float32 values').toBe(true)
  })
})
