/**
 * The rounds chart as SVG: three small panels sharing the x axis (rounds) — validation P@20,
 * participants and cumulative ε — so each keeps its own honest scale.
 */
import { escapeXml as esc } from '../escape-xml.js'
import type { ChartPoint } from './chart-points.js'

interface Series {
  readonly label: string
  readonly colour: string
  readonly value: (p: ChartPoint) => number | null
  readonly format: (v: number) => string
}

const SERIES: readonly Series[] = [
  { label: 'Validation P@20 (%)', colour: '#3a5bd9', value: (p) => p.p20, format: (v) => v.toFixed(1) },
  { label: 'Participants', colour: '#1b8a5a', value: (p) => p.participants, format: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)) },
  { label: 'ε spent (cumulative)', colour: '#c2410c', value: (p) => p.epsilon, format: (v) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) },
]

const W = 640
const PANEL_H = 110
const GAP = 34
const LEFT = 56
const RIGHT = 16
const TOP = 22

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p
}

/**
 * The chart's SVG markup (only numbers and fixed labels go into it).
 * @example roundChartSvg([{ round: 0, modelVersion: 0, p20: 10, participants: 0, epsilon: 0 }])
 */
export function roundChartSvg(points: readonly ChartPoint[]): string {
  const height = TOP + SERIES.length * (PANEL_H + GAP) + 14
  const maxRound = Math.max(1, ...points.map((p) => p.round))
  const x = (r: number): number => LEFT + ((W - LEFT - RIGHT) * r) / maxRound
  const step = Math.max(1, Math.ceil(maxRound / 10))
  const parts: string[] = []
  SERIES.forEach((s, i) => {
    const top = TOP + i * (PANEL_H + GAP)
    const values = points.flatMap((p) => {
      const v = s.value(p)
      return v === null || !Number.isFinite(v) ? [] : [{ r: p.round, v }]
    })
    const max = niceMax(Math.max(0, ...values.map((d) => d.v)))
    const y = (v: number): number => top + PANEL_H - (PANEL_H * v) / max
    parts.push(`<g class="round-chart__panel" data-series="${i}">`)
    parts.push(`<text x="${LEFT}" y="${top - 6}" font-size="13" font-weight="600" fill="${s.colour}">${esc(s.label)}</text>`)
    parts.push(`<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${PANEL_H}" fill="#fff" stroke="#e3e5ee"/>`)
    for (const t of [0, max / 2, max]) {
      parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eef0f5"/>`)
      parts.push(`<text x="${LEFT - 6}" y="${(y(t) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#667">${esc(s.format(t))}</text>`)
    }
    if (values.length > 1) {
      const d = values.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.r).toFixed(1)} ${y(p.v).toFixed(1)}`).join(' ')
      parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2.5"/>`)
    }
    for (const p of values) parts.push(`<circle cx="${x(p.r).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3.5" fill="${s.colour}"><title>round ${p.r}: ${esc(s.format(p.v))}</title></circle>`)
    if (values.length === 0) parts.push(`<text x="${(W + LEFT) / 2}" y="${top + PANEL_H / 2}" font-size="12" text-anchor="middle" fill="#667">no data yet</text>`)
    parts.push('</g>')
  })
  const axisY = TOP + SERIES.length * (PANEL_H + GAP) - GAP + 16
  for (let r = 0; r <= maxRound; r += step) parts.push(`<text x="${x(r).toFixed(1)}" y="${axisY}" font-size="11" text-anchor="middle" fill="#667">${r}</text>`)
  parts.push(`<text x="${W - RIGHT}" y="${axisY + 14}" font-size="11" text-anchor="end" fill="#667">round (0 = initial model)</text>`)
  return `<svg xmlns="http://www.w3.org/2000/svg" class="round-chart" viewBox="0 0 ${W} ${height + 14}" width="100%" role="img" aria-label="Rounds against validation P@20, participants and epsilon">${parts.join('')}</svg>`
}
