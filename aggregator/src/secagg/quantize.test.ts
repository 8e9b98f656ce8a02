import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addGaussianNoise, seededRandomFill } from '../noise.js'
import { clipInPlace } from '../clip.js'
import { addWordsInPlace, dequantizeSum, NOISE_TAIL, quantizationScale, quantize } from './quantize.js'

describe('quantisation', () => {
  it('leaves headroom: the worst-case sum of a full cohort stays inside int32 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), (n, c, sigma) => {
        const s = quantizationScale({ cohortSize: n, clipNorm: c, noiseStd: sigma })
        expect(Math.log2(s) % 1).toBe(0)
        expect(s * (n * c + NOISE_TAIL * sigma * Math.sqrt(n)) + n).toBeLessThanOrEqual(2 ** 31 - 1)
        // …and no coarser than needed: twice the scale would break the bound.
        expect(2 * s * (n * c + NOISE_TAIL * sigma * Math.sqrt(n)) + n).toBeGreaterThan(2 ** 31 - 1)
      }),
    )
  })

  it('decodes the modular sum of a cohort exactly: extreme inputs do not wrap', () => {
    const n = 50
    const c = 1
    const scale = quantizationScale({ cohortSize: n, clipNorm: c, noiseStd: 0 })
    // Every client at +C (and then every client at −C) on every coordinate: the largest sums.
    for (const sign of [1, -1]) {
      const acc = new Uint32Array(3)
      for (let i = 0; i < n; i++) addWordsInPlace(acc, quantize(Float32Array.from([sign * c, sign * c, 0]), scale))
      const sum = dequantizeSum(acc, scale)
      expect(sum[0]).toBeCloseTo(sign * n * c, 5)
      expect(sum[2]).toBe(0)
    }
  })

  it('rounds stochastically without bias', () => {
    const scale = 4
    const x = new Float32Array(200_000).fill(0.3) // 1.2 grid steps: 1 w.p. 0.8, 2 w.p. 0.2
    const q = quantize(x, scale)
    let mean = 0
    for (const w of q) mean += w | 0
    mean /= q.length
    // std of one value is 0.4; 5 standard errors of the mean.
    expect(Math.abs(mean - 1.2)).toBeLessThan(5 * (0.4 / Math.sqrt(q.length)))
    expect(new Set(q)).toEqual(new Set([1, 2]))
  })

  it('sums clipped, noised updates to within one grid step per client', () => {
    const n = 10
    const p = 1000
    const sigma = 0.05
    const scale = quantizationScale({ cohortSize: n, clipNorm: 1, noiseStd: sigma })
    const acc = new Uint32Array(p)
    const plain = new Float64Array(p)
    const fill = seededRandomFill(3)
    for (let i = 0; i < n; i++) {
      const x = new Float32Array(p)
      addGaussianNoise(x, 1, fill)
      clipInPlace(x, 1)
      addGaussianNoise(x, sigma, fill)
      x.forEach((v, j) => (plain[j] = plain[j]! + v))
      addWordsInPlace(acc, quantize(x, scale))
    }
    const sum = dequantizeSum(acc, scale)
    for (let j = 0; j < p; j++) expect(Math.abs(sum[j]! - plain[j]!)).toBeLessThanOrEqual(n / scale)
  })

  it('refuses unusable parameters and values outside the range', () => {
    expect(() => quantizationScale({ cohortSize: 0, clipNorm: 1, noiseStd: 0 })).toThrow(RangeError)
    expect(() => quantizationScale({ cohortSize: 10, clipNorm: 1e9, noiseStd: 0 })).toThrow(/steps per unit/)
    expect(() => quantize(Float32Array.from([1e6]), 2 ** 27)).toThrow(/quantisation range/)
  })
})
