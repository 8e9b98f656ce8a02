/** Log-log line charts as standalone SVG, for the scaling sweeps (no plotting library needed). */

export interface LogSeries {
  readonly label: string
  readonly points: readonly (readonly [number, number])[]
  readonly dashed?: boolean
}

export interface LogPanel {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly LogSeries[]
}

const W = 560
const H = 360
const M = { left: 70, right: 20, top: 36, bottom: 50 } as const
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e']

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Powers of ten covering [lo, hi] (both > 0).
 * @example decades(3, 2500) // [1, 10, 100, 1000, 10000]
 */
export function decades(lo: number, hi: number): number[] {
  if (!(lo > 0 && hi >= lo)) throw new RangeError(`log axis needs 0 < lo ≤ hi, got ${lo}, ${hi}`)
  const out: number[] = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e)
  if (out.length === 1) out.push(out[0]! * 10)
  return out
}

/** `1k`, `10M`, `0.01`: short labels for powers of ten. */
export function tickLabel(x: number): string {
  if (x >= 1e6) return `${x / 1e6}M`
  if (x >= 1e3) return `${x / 1e3}k`
  return String(Number(x.toPrecision(3)))
}

function panel(p: LogPanel, x0: number): string {
  const xs = p.series.flatMap((s) => s.points.map((q) => q[0])).filter((v) => v > 0)
  const ys = p.series.flatMap((s) => s.points.map((q) => q[1])).filter((v) => v > 0)
  if (xs.length === 0 || ys.length === 0) return ''
  const xt = decades(Math.min(...xs), Math.max(...xs))
  const yt = decades(Math.min(...ys), Math.max(...ys))
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const lx = (v: number) => Math.log10(v)
  const X = (v: number) => x0 + M.left + ((lx(v) - lx(xt[0]!)) / (lx(xt.at(-1)!) - lx(xt[0]!))) * pw
  const Y = (v: number) => M.top + ph - ((lx(v) - lx(yt[0]!)) / (lx(yt.at(-1)!) - lx(yt[0]!))) * ph
  const out: string[] = [`<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`]
  for (const t of xt) out.push(`<line x1="${X(t).toFixed(1)}" y1="${M.top}" x2="${X(t).toFixed(1)}" y2="${M.top + ph}" stroke="#ddd"/><text x="${X(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">${tickLabel(t)}</text>`)
  for (const t of yt) out.push(`<line x1="${x0 + M.left}" y1="${Y(t).toFixed(1)}" x2="${x0 + M.left + pw}" y2="${Y(t).toFixed(1)}" stroke="#ddd"/><text x="${x0 + M.left - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`)
  out.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${x0 + M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(p.xLabel)}</text>`)
  out.push(`<text transform="translate(${x0 + 16} ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`)
  p.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!
    const pts = s.points.filter((q) => q[0] > 0 && q[1] > 0).map((q) => `${X(q[0]).toFixed(1)},${Y(q[1]).toFixed(1)}`)
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${pts.join(' ')}"/>`)
    for (const pt of pts) out.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3" fill="${c}"/>`)
    out.push(`<text x="${x0 + M.left + 8}" y="${M.top + 16 + 16 * i}" fill="${c}">${esc(s.label)}</text>`)
  })
  return out.join('\n')
}

/**
 * Panels side by side, each with decade grid lines, one polyline with markers per series.
 * @example writeFileSync('scaling.svg', logLogSvg([{ title: 'cost', xLabel: 'n', yLabel: 'ms', series }]))
 */
export function logLogSvg(panels: readonly LogPanel[], caption = ''): string {
  const width = W * panels.length
  const height = H + (caption ? 24 : 0)
  const body = panels.map((p, i) => panel(p, i * W)).join('\n')
  const cap = caption ? `\n<text x="8" y="${H + 16}" font-size="11" fill="#555">${esc(caption)}</text>` : ''
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${body}${cap}\n</svg>\n`
}
