/** Hand-written SVG plots of a run: utility vs ε, vs federated rounds, or a bar chart per model. */

import type { ModelResult } from './run.js'

/** One polyline with markers. */
export interface Series {
  readonly label: string
  readonly color: string
  readonly dashed?: boolean
  readonly points: readonly (readonly [number, number])[]
}

/** A labelled horizontal reference line (e.g. the non-private model). */
export interface HLine {
  readonly label: string
  readonly color: string
  readonly y: number
}

const WIDTH = 720
const PANEL_H = 380
const M = { left: 64, right: 200, top: 40, bottom: 52 } as const
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf']

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const fmt = (x: number): string => (Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toPrecision(3))

/**
 * About `count` round-valued ticks covering [lo, hi] (1, 2, 5 × 10^k steps).
 * @example niceTicks(0, 37, 5) // [0, 10, 20, 30, 40]
 */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) hi = lo + 1
  const raw = (hi - lo) / Math.max(1, count)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  if (ticks[ticks.length - 1]! < hi) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)))
  return ticks
}

/** A line chart panel whose top edge sits at `y0`. */
function linePanel(
  y0: number,
  title: string,
  xLabel: string,
  series: readonly Series[],
  hlines: readonly HLine[],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), ...hlines.map((h) => h.y)]
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 6)
  const yt = niceTicks(0, Math.max(1, ...ys), 5)
  const [x0, x1] = [xt[0]!, xt[xt.length - 1]!]
  const y1v = yt[yt.length - 1]!
  const pw = WIDTH - M.left - M.right
  const ph = PANEL_H - M.top - M.bottom
  const X = (x: number): number => M.left + ((x - x0) / (x1 - x0 || 1)) * pw
  const Y = (y: number): number => y0 + M.top + ph - (y / y1v) * ph
  const parts: string[] = []
  parts.push(`<text x="${M.left}" y="${y0 + 24}" font-size="15" font-weight="bold">${esc(title)}</text>`)
  for (const t of yt) {
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/>`)
    parts.push(`<text x="${M.left - 6}" y="${Y(t) + 4}" text-anchor="end">${fmt(t)}</text>`)
  }
  for (const t of xt) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${Y(0)}" y2="${Y(0) + 5}" stroke="#333"/>`)
    parts.push(`<text x="${X(t)}" y="${Y(0) + 18}" text-anchor="middle">${fmt(t)}</text>`)
  }
  parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(0)}" y2="${Y(0)}" stroke="#333"/>`)
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${Y(0)}" y2="${Y(y1v)}" stroke="#333"/>`)
  parts.push(`<text x="${M.left + pw / 2}" y="${Y(0) + 38}" text-anchor="middle">${esc(xLabel)}</text>`)
  parts.push(
    `<text transform="translate(${M.left - 46},${y0 + M.top + ph / 2}) rotate(-90)" text-anchor="middle">percent</text>`,
  )
  const legend: string[] = []
  let ly = y0 + M.top + 6
  for (const h of hlines) {
    parts.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(h.y)}" y2="${Y(h.y)}" stroke="${h.color}" stroke-dasharray="2 4"/>`,
    )
    legend.push(
      `<line x1="${WIDTH - M.right + 12}" x2="${WIDTH - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${h.color}" stroke-dasharray="2 4"/>` +
        `<text x="${WIDTH - M.right + 42}" y="${ly + 4}">${esc(h.label)}</text>`,
    )
    ly += 18
  }
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a[0] - b[0])
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts
        .map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`)
        .join(' ')}"/>`,
    )
    for (const p of pts) {
      parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`)
    }
    legend.push(
      `<line x1="${WIDTH - M.right + 12}" x2="${WIDTH - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>` +
        `<text x="${WIDTH - M.right + 42}" y="${ly + 4}">${esc(s.label)}</text>`,
    )
    ly += 18
  }
  return [...parts, ...legend].join('\n')
}

/** Grouped bars of P@20 and MRR@20 per model, panel top at `y0`. */
function barPanel(y0: number, title: string, results: readonly ModelResult[]): string {
  const pw = WIDTH - M.left - M.right
  const ph = PANEL_H - M.top - M.bottom
  const yt = niceTicks(0, Math.max(1, ...results.map((r) => r.json.p20)), 5)
  const y1v = yt[yt.length - 1]!
  const Y = (y: number): number => y0 + M.top + ph - (y / y1v) * ph
  const slot = pw / Math.max(1, results.length)
  const bw = Math.min(28, slot / 3)
  const parts: string[] = [`<text x="${M.left}" y="${y0 + 24}" font-size="15" font-weight="bold">${esc(title)}</text>`]
  for (const t of yt) {
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/>`)
    parts.push(`<text x="${M.left - 6}" y="${Y(t) + 4}" text-anchor="end">${fmt(t)}</text>`)
  }
  results.forEach((r, i) => {
    const cx = M.left + slot * (i + 0.5)
    const bars: [number, string][] = [
      [r.json.p20, PALETTE[0]!],
      [r.json.mrr20, PALETTE[1]!],
    ]
    bars.forEach(([v, color], b) => {
      const x = cx - bw + b * bw
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${Y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(Y(0) - Y(v)).toFixed(1)}" fill="${color}"><title>${esc(r.json.name)}: ${v.toFixed(2)}</title></rect>`,
      )
      parts.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(Y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${v.toFixed(1)}</text>`)
    })
    parts.push(
      `<text transform="translate(${cx.toFixed(1)},${Y(0) + 14}) rotate(25)" font-size="11">${esc(r.json.name)}</text>`,
    )
  })
  parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(0)}" y2="${Y(0)}" stroke="#333"/>`)
  const lx = WIDTH - M.right + 12
  parts.push(`<rect x="${lx}" y="${y0 + M.top}" width="14" height="10" fill="${PALETTE[0]}"/><text x="${lx + 20}" y="${y0 + M.top + 9}">P@20</text>`)
  parts.push(`<rect x="${lx}" y="${y0 + M.top + 18}" width="14" height="10" fill="${PALETTE[1]}"/><text x="${lx + 20}" y="${y0 + M.top + 27}">MRR@20</text>`)
  return parts.join('\n')
}

/**
 * The SVG for a run. Panels, each drawn when its data exists: P@20 and MRR@20 against ε for the
 * differentially private runs (points from each private model, plus any `epsilonCurve`; the
 * non-private federated/central models as dotted reference lines); against rounds for models
 * that report a per-round `history`. With neither, a bar chart of P@20/MRR@20 per model, so the
 * file is always meaningful.
 * @example writeFileSync('plot.svg', renderPlot('diginetica', results))
 */
export function renderPlot(dataset: string, results: readonly ModelResult[]): string {
  const panels: ((y0: number) => string)[] = []
  const eps: { x: number; p20: number; mrr20: number }[] = []
  for (const r of results) {
    if (r.json.epsilon !== null) eps.push({ x: r.json.epsilon, p20: r.json.p20, mrr20: r.json.mrr20 })
    for (const p of r.epsilonCurve) eps.push({ x: p.epsilon, p20: p.p20, mrr20: p.mrr20 })
  }
  if (eps.length > 0) {
    const refs: HLine[] = []
    results
      .filter((r) => r.json.epsilon === null && r.json.name.startsWith('fedrec-'))
      .forEach((r, i) => {
        refs.push({ label: `${r.json.name} P@20`, color: PALETTE[(2 + 2 * i) % PALETTE.length]!, y: r.json.p20 })
        refs.push({ label: `${r.json.name} MRR@20`, color: PALETTE[(3 + 2 * i) % PALETTE.length]!, y: r.json.mrr20 })
      })
    panels.push((y0) =>
      linePanel(
        y0,
        `${dataset}: utility vs privacy budget`,
        'ε (at the reported δ)',
        [
          { label: 'P@20', color: PALETTE[0]!, points: eps.map((e) => [e.x, e.p20] as const) },
          { label: 'MRR@20', color: PALETTE[1]!, dashed: true, points: eps.map((e) => [e.x, e.mrr20] as const) },
        ],
        refs,
      ),
    )
  }
  const fed = results.filter((r) => r.history.length > 0)
  if (fed.length > 0) {
    const series: Series[] = []
    fed.forEach((r, i) => {
      const color = PALETTE[i % PALETTE.length]!
      series.push({ label: `${r.json.name} P@20`, color, points: r.history.map((h) => [h.round, h.p20] as const) })
      series.push({
        label: `${r.json.name} MRR@20`,
        color,
        dashed: true,
        points: r.history.map((h) => [h.round, h.mrr20] as const),
      })
    })
    panels.push((y0) => linePanel(y0, `${dataset}: federated training`, 'round', series, []))
  }
  if (panels.length === 0 && results.length > 0) {
    panels.push((y0) => barPanel(y0, `${dataset}: P@20 and MRR@20 per model`, results))
  }
  const height = PANEL_H * Math.max(1, panels.length)
  const body = panels.map((p, i) => p(i * PANEL_H)).join('\n')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`
  )
}
