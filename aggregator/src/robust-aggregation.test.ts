import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { coordinateMedian, coordinateTrimmedMean, robustSum } from './robust-aggregation.js'

const f = (...xs: number[]) => Float32Array.from(xs)

describe('robust aggregation', () => {
  it('median and trimmed mean ignore one huge outlier', () => {
    const ups = [f(1, -1), f(2, -2), f(3, -3), f(4, -4), f(1e6, 1e6)]
    expect(Array.from(coordinateMedian(ups))).toEqual([3, -2])
    expect(Array.from(coordinateTrimmedMean(ups, 0.2))).toEqual([3, -2])
    expect(Array.from(coordinateMedian([f(1), f(3)]))).toEqual([2])
  })

  it('none is the plain sum; the robust modes scale the estimate by n', () => {
    const ups = [f(1, 2), f(3, 4)]
    expect(Array.from(robustSum(ups, { mode: 'none', trimFraction: 0 }))).toEqual([4, 6])
    expect(Array.from(robustSum(ups, { mode: 'median', trimFraction: 0 }))).toEqual([4, 6])
    expect(Array.from(robustSum(ups, { mode: 'trimmed-mean', trimFraction: 0 }))).toEqual([4, 6])
  })

  it('refuses empty input, ragged input and a trim fraction of one half', () => {
    expect(() => coordinateMedian([])).toThrow(RangeError)
    expect(() => coordinateMedian([f(1), f(1, 2)])).toThrow(RangeError)
    expect(() => coordinateTrimmedMean([f(1)], 0.5)).toThrow(RangeError)
  })

  it('with fewer adversaries than trimmed (or than half, for the median) every coordinate stays within the honest range (property)', () => {
    const value = fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true })
    const hostile = fc.oneof(fc.constant(1e9), fc.constant(-1e9), fc.float({ min: -1e6, max: 1e6, noNaN: true }))
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 10, maxLength: 20 }),
        fc.array(fc.array(hostile, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        (honest, adv) => {
          const bad = adv.slice(0, Math.floor(honest.length * 0.1) || 1)
          const all = [...honest, ...bad].map((u) => Float32Array.from(u))
          const beta = bad.length / all.length + 1e-9
          for (const est of [coordinateMedian(all), coordinateTrimmedMean(all, Math.min(beta, 0.49))]) {
            for (let j = 0; j < 3; j++) {
              const col = honest.map((u) => Math.fround(u[j]!))
              if (est[j]! < Math.min(...col) - 1e-9 || est[j]! > Math.max(...col) + 1e-9) return false
            }
          }
          return true
        },
      ),
    )
  })
})
