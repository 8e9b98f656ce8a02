import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clipInPlace, l2Norm } from './clip.js'

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
