import { describe, expect, it } from 'vitest'
import { niceMax, roundChartSvg } from './round-chart.js'

describe('roundChartSvg', () => {
  const pts = [
    { round: 0, modelVersion: 0, p20: 10, participants: 0, epsilon: 0 },
    { round: 1, modelVersion: 1, p20: 25, participants: 4, epsilon: 3.2 },
    { round: 2, modelVersion: 2, p20: 40, participants: 4, epsilon: 4.9 },
  ]

  it('draws one line with a dot per round in each of the three panels', () => {
    const svg = roundChartSvg(pts)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.match(/<path /g)).toHaveLength(3)
    expect(svg.match(/<circle /g)).toHaveLength(9)
    expect(svg).toContain('round 2: 40.0')
    expect(svg).toContain('round 1: 4')
    expect(svg).toContain('round 2: 4.90')
  })

  it('places a higher value higher up', () => {
    const svg = roundChartSvg(pts)
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"[^>]*><title>round \d: [\d.]+<\/title>/g)].slice(0, 3).map((m) => Number(m[1]))
    expect(ys[0]).toBeGreaterThan(ys[1]!)
    expect(ys[1]).toBeGreaterThan(ys[2]!)
  })

  it('says "no data yet" for a series without values and never writes NaN', () => {
    const svg = roundChartSvg([{ round: 0, modelVersion: 0, p20: null, participants: 0, epsilon: null }])
    expect(svg.match(/no data yet/g)).toHaveLength(2)
    expect(svg).not.toContain('NaN')
  })
})

describe('niceMax', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0.3, 1, 3, 7, 42, 180, 0, Infinity].map(niceMax)).toEqual([0.5, 1, 5, 10, 50, 200, 1, 1])
  })
})
