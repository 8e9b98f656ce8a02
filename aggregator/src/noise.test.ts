import { describe, expect, it } from 'vitest'
import { addGaussianNoise, cryptoRandomFill, seededRandomFill } from './noise.js'

function moments(v: Float32Array): { mean: number; std: number; kurtosis: number } {
  let m = 0
  for (const x of v) m += x
  m /= v.length
  let m2 = 0
  let m4 = 0
  for (const x of v) {
    const d = (x - m) ** 2
    m2 += d
    m4 += d * d
  }
  m2 /= v.length
  m4 /= v.length
  return { mean: m, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) }
}

describe('addGaussianNoise', () => {
  it('has the announced standard deviation, zero mean and Gaussian tails', () => {
    const n = 200_000
    const v = new Float32Array(n)
    addGaussianNoise(v, 2.5, cryptoRandomFill)
    const { mean, std, kurtosis } = moments(v)
    // Sampling error of the std estimate is σ/√(2n) ≈ 0.004; allow 5 standard errors.
    expect(Math.abs(std - 2.5)).toBeLessThan(5 * (2.5 / Math.sqrt(2 * n)))
    expect(Math.abs(mean)).toBeLessThan(5 * (2.5 / Math.sqrt(n)))
    // Kurtosis of a Gaussian is 3 (std error ≈ √(24/n) ≈ 0.011).
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.06)
  })

  it('is reproducible with a seeded source and fills odd lengths', () => {
    const a = new Float32Array(9)
    const b = new Float32Array(9)
    addGaussianNoise(a, 1, seededRandomFill(42))
    addGaussianNoise(b, 1, seededRandomFill(42))
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(a.every((x) => x !== 0)).toBe(true)
  })
})
