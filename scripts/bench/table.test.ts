import { describe, expect, it } from 'vitest'
import { formatMarkdown, formatNumber, formatTable, verdict, Verdict, type Row } from './table.js'

const rows: Row[] = [
  { section: 'bundles', metric: 'loader gz', value: 383, unit: 'B', target: '≤ 3 KB', verdict: Verdict.Ok },
  { section: 'bundles', metric: 'worker gz', value: 276_990, unit: 'B', target: '≤ 300 KB', verdict: Verdict.Ok },
  { section: 'aggregator', metric: 'vs memcpy', value: 0.123456, note: 'a|b' },
]

describe('formatNumber', () => {
  it('keeps three significant digits and separates thousands', () => {
    expect(formatNumber(1234567)).toBe('1,234,567')
    expect(formatNumber(12.345)).toBe('12.3')
    expect(formatNumber(0.012345)).toBe('0.0123')
    expect(formatNumber(-2.5)).toBe('-2.5')
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(3e-7)).toBe('3.00e-7')
    expect(formatNumber(Number.NaN)).toBe('NaN')
  })
})

describe('formatTable', () => {
  it('groups rows under their section and right-aligns values', () => {
    const text = formatTable(rows).split('\n')
    expect(text[0]).toMatch(/^metric\s+value\s+unit\s+target\s+verdict\s+note$/)
    expect(text[2]).toBe('[bundles]')
    expect(text[5]).toBe('[aggregator]')
    const loader = text[3]!
    const worker = text[4]!
    // The last digit of both values sits in the same column.
    expect(loader.indexOf('383') + 3).toBe(worker.indexOf('276,990') + 7)
    expect(text.every((l) => l === l.trimEnd())).toBe(true)
  })
})

describe('formatMarkdown', () => {
  it('writes one row per measurement, the section only on its first row, pipes escaped', () => {
    const md = formatMarkdown(rows).split('\n')
    expect(md).toHaveLength(5)
    expect(md[2]).toBe('| bundles | loader gz | 383 | B | ≤ 3 KB | ok |  |')
    expect(md[3]!.startsWith('|  | worker gz | 276,990 |')).toBe(true)
    expect(md[4]).toBe('| aggregator | vs memcpy | 0.123 |  |  |  | a\\|b |')
  })
})

describe('verdict', () => {
  it('compares against an upper or a lower bound', () => {
    expect(verdict(3, 3)).toBe(Verdict.Ok)
    expect(verdict(4, 3)).toBe(Verdict.Missed)
    expect(verdict(0.4, 0.5, false)).toBe(Verdict.Missed)
    expect(verdict(0.6, 0.5, false)).toBe(Verdict.Ok)
  })
})
