import { describe, expect, it } from 'vitest'
import { serverLearningRateAt } from './server-lr-schedule.js'

describe('serverLearningRateAt', () => {
  const schedule = { rounds: 5, end: 0.1 }

  it('falls by a half cosine from the peak to end × peak, then holds', () => {
    const etas = [0, 1, 2, 3, 4, 5, 100].map((i) => serverLearningRateAt(8, i, schedule))
    expect(etas[0]).toBe(8)
    expect(etas[2]).toBeCloseTo(8 * (0.1 + 0.9 / 2), 10)
    expect(etas[1]).toBeCloseTo(8 * (0.1 + (0.9 * (1 + Math.SQRT1_2)) / 2), 10)
    expect(etas[4]).toBeCloseTo(0.8, 10)
    expect(etas[5]).toBeCloseTo(0.8, 10)
    expect(etas[6]).toBeCloseTo(0.8, 10)
    for (let i = 1; i < etas.length; i++) expect(etas[i]!).toBeLessThanOrEqual(etas[i - 1]! + 1e-12)
  })

  it('is the constant peak without a schedule or with end 1', () => {
    expect(serverLearningRateAt(4, 17, null)).toBe(4)
    expect(serverLearningRateAt(4, 3, { rounds: 10, end: 1 })).toBe(4)
  })

  it('refuses indices and schedules that cannot be', () => {
    expect(() => serverLearningRateAt(1, -1, schedule)).toThrow(/round index -1/)
    expect(() => serverLearningRateAt(1, 0.5, null)).toThrow(/round index 0.5/)
    expect(() => serverLearningRateAt(1, 0, { rounds: 1, end: 0.1 })).toThrow(/rounds 1/)
    expect(() => serverLearningRateAt(1, 0, { rounds: 10, end: 1.5 })).toThrow(/end 1.5/)
    expect(() => serverLearningRateAt(1, 0, { rounds: 10, end: 0 })).toThrow(/end 0: a fraction in \(0, 1\]/)
    expect(() => serverLearningRateAt(1, 0, { rounds: 10, end: Number.NaN })).toThrow(/end NaN/)
  })
})
