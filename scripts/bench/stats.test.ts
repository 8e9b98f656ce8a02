import { describe, expect, it } from 'vitest'
import { median, percentile, summarize, timeRuns } from './stats.js'

describe('stats', () => {
  it('interpolates percentiles between ranks and ignores input order', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5)
    expect(percentile([1, 2, 3, 4, 5], 0)).toBe(1)
    expect(percentile([1, 2, 3, 4, 5], 100)).toBe(5)
    expect(percentile([10, 20], 95)).toBeCloseTo(19.5)
    expect(median([7])).toBe(7)
  })

  it('refuses empty input and percentiles outside 0..100', () => {
    expect(() => median([])).toThrow(RangeError)
    expect(() => percentile([1], 101)).toThrow(/outside/)
    expect(() => summarize([])).toThrow(RangeError)
  })

  it('summarises without changing the input', () => {
    const xs = [5, 1, 3]
    expect(summarize(xs)).toEqual({ n: 3, median: 3, p95: 4.8, min: 1, max: 5 })
    expect(xs).toEqual([5, 1, 3])
  })

  it('times each run after the warm-up runs', async () => {
    let calls = 0
    const ms = await timeRuns(3, () => calls++, 2)
    expect(calls).toBe(5)
    expect(ms).toHaveLength(3)
    expect(ms.every((x) => x >= 0)).toBe(true)
  })
})
