import { describe, expect, it } from 'vitest'
import { decades, logLogSvg, tickLabel } from './plot.js'

describe('log axes', () => {
  it('covers the data with powers of ten', () => {
    expect(decades(3, 2500)).toEqual([1, 10, 100, 1000, 10000])
    expect(decades(10, 10)).toEqual([10, 100])
    expect(decades(0.02, 0.5)).toEqual([0.01, 0.1, 1])
    expect(() => decades(0, 10)).toThrow(RangeError)
  })

  it('labels ticks briefly', () => {
    expect([0.01, 1, 1000, 100000, 1e6].map(tickLabel)).toEqual(['0.01', '1', '1k', '100k', '1M'])
  })
})

describe('logLogSvg', () => {
  it('draws one polyline per series with one marker per point, panels side by side', () => {
    const svg = logLogSvg(
      [
        { title: 'a', xLabel: 'x', yLabel: 'y', series: [{ label: 's1', points: [[10, 1], [100, 10], [1000, 100]] }] },
        { title: 'b & c', xLabel: 'x', yLabel: 'y', series: [{ label: 's2', points: [[1, 5], [10, 50]] }, { label: 's3', points: [[1, 2], [10, 3]], dashed: true }] },
      ],
      'caption',
    )
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('width="1120"')
    expect(svg.match(/<polyline/g)).toHaveLength(3)
    expect(svg.match(/<circle/g)).toHaveLength(7)
    expect(svg).toContain('b &amp; c')
    expect(svg).toContain('stroke-dasharray')
    // A straight line in log-log space: equal steps between the three points of s1.
    const pts = svg.match(/points="([^"]+)"/)![1]!.split(' ').map((p) => p.split(',').map(Number))
    expect(pts[1]![0]! - pts[0]![0]!).toBeCloseTo(pts[2]![0]! - pts[1]![0]!, 0)
    expect(pts[1]![1]! - pts[0]![1]!).toBeCloseTo(pts[2]![1]! - pts[1]![1]!, 0)
  })
})
