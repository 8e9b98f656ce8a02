/** The one table `npm run bench` prints, as aligned text for the terminal or Markdown for docs. */

/** How a measurement compares with its target. */
export const Verdict = { Ok: 'ok', Missed: 'MISSED', Over: 'OVER BUDGET', Info: '', Failed: 'FAILED' } as const
export type Verdict = (typeof Verdict)[keyof typeof Verdict]

/** One line of the table. */
export interface Row {
  readonly section: string
  readonly metric: string
  /** A number is formatted with `formatNumber`; a string is printed as given. */
  readonly value: number | string
  readonly unit?: string
  /** The budget or target, in words (e.g. "≤ 3 KB"). */
  readonly target?: string
  readonly verdict?: Verdict
  readonly note?: string
}

/**
 * Three significant digits, thousands separated, no exponent for everyday magnitudes.
 * @example formatNumber(1234567) // '1,234,567'
 * @example formatNumber(0.012345) // '0.0123'
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (a >= 1000) return Math.round(x).toLocaleString('en-US')
  if (a < 1e-4) return x.toExponential(2)
  return String(Number(x.toPrecision(3)))
}

const HEAD = ['metric', 'value', 'unit', 'target', 'verdict', 'note'] as const

function cells(r: Row): string[] {
  return [r.metric, typeof r.value === 'number' ? formatNumber(r.value) : r.value, r.unit ?? '', r.target ?? '', r.verdict ?? '', r.note ?? '']
}

/** Rows grouped by section, in first-seen order. */
function bySection(rows: readonly Row[]): Map<string, Row[]> {
  const m = new Map<string, Row[]>()
  for (const r of rows) m.set(r.section, [...(m.get(r.section) ?? []), r])
  return m
}

/**
 * Aligned plain text: one header, then each section's rows under its name. Values are right
 * aligned so magnitudes line up.
 * @example console.log(formatTable([{ section: 'bundles', metric: 'loader gz', value: 383, unit: 'B' }]))
 */
export function formatTable(rows: readonly Row[]): string {
  const all = rows.map(cells)
  const widths = HEAD.map((h, i) => Math.max(h.length, ...all.map((c) => c[i]!.length)))
  const line = (c: readonly string[]): string =>
    c.map((x, i) => (i === 1 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd()
  const out = [line(HEAD), widths.map((w) => '─'.repeat(w)).join('  ')]
  for (const [section, rs] of bySection(rows)) {
    out.push(`[${section}]`)
    for (const r of rs) out.push(line(cells(r)))
  }
  return out.join('\n')
}

/** The same table as GitHub Markdown, a section column first. `|` in cells is escaped. */
export function formatMarkdown(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const out = ['| section | metric | value | unit | target | verdict | note |', '|---|---|--:|---|---|---|---|']
  for (const [section, rs] of bySection(rows)) {
    rs.forEach((r, i) => out.push(`| ${i === 0 ? esc(section) : ''} | ${cells(r).map(esc).join(' | ')} |`))
  }
  return out.join('\n')
}

/**
 * Verdict for a measurement against an upper bound (`lowerIsBetter`) or a lower bound.
 * @example verdict(380, 3000) // 'ok'
 */
export function verdict(value: number, bound: number, lowerIsBetter = true): Verdict {
  const ok = lowerIsBetter ? value <= bound : value >= bound
  return ok ? Verdict.Ok : Verdict.Missed
}
