/** The privacy panel's view of what this device sent and what it cost (from `fedrec.privacy`). */
import type { DevicePrivacyLedger, SentPayload } from '../../../sdk/src/entrypoints/sdk.js'
import { h } from '../dom.js'
import { summarizePayload } from './payload-summary.js'

const fmtEps = (e: number | null): string => (e === null ? 'unbounded' : e.toPrecision(4))
/** A float32 header value as the number it was meant to be (0.1, not 0.10000000149011612). */
const fmtF32 = (x: number): string => String(Number(x.toPrecision(6)))
const fmtDelta = (d: number): string => (d < 1e-3 ? d.toExponential() : String(d))

/**
 * ε spent against the published models and against the aggregator, the budget, the cap.
 * @example budgetFacts(await fedrec.privacy.ledger())
 */
export function budgetFacts(ledger: DevicePrivacyLedger): HTMLElement {
  const sent = ledger.entries.filter((e) => e.bytes > 0).length
  const rows: [string, string, string][] = [
    ['device-epsilon', `ε spent (δ = ${fmtDelta(ledger.delta)})`, fmtEps(ledger.epsilon)],
    ['device-budget', 'Budget', ledger.budget ? `ε ${ledger.budget.epsilon} at δ ${fmtDelta(ledger.budget.delta)}` : 'none set (the shop sets it)'],
    ['device-epsilon-aggregator', 'ε against the aggregator (each payload seen)', fmtEps(ledger.epsilonPerPayloads)],
    ['device-rounds', 'Rounds with a coin draw / payloads sent', `${ledger.entries.length} / ${sent}`],
    ['device-cap', 'Participation cap', `${ledger.participationsInPeriod} of ${ledger.participationCap.max} per ${Math.round(ledger.participationCap.periodMs / 3_600_000)} h`],
    ['device-stopped', 'Contributing', ledger.stopped ? `stopped: ${ledger.stopped.detail}` : 'yes'],
  ]
  const el = h('dl', { class: 'facts' }, ...rows.flatMap(([id, t, v]) => [h('dt', {}, t), h('dd', { id }, v)]))
  if (ledger.budget && ledger.epsilon !== null) {
    const meter = h('meter', { id: 'device-budget-meter', min: '0', max: String(ledger.budget.epsilon), value: String(Math.min(ledger.epsilon, ledger.budget.epsilon)), 'aria-label': 'Privacy budget spent' })
    return h('div', {}, el, meter)
  }
  return el
}

/** One table row per sent payload, decoded on the page with the server's own decoder. */
export function payloadTable(payloads: readonly SentPayload[]): HTMLElement {
  if (payloads.length === 0) return h('p', { class: 'muted', id: 'payloads-empty' }, 'This device has sent nothing.')
  const head = h('tr', {}, ...['Round', 'Model', 'Sent', 'Bytes', 'Format', 'Values', 'Clip norm', 'Noise ×', 'Mode', 'L2 norm', 'Clip bit', 'Nonce', 'First values'].map((t) => h('th', { scope: 'col' }, t)))
  const rows = [...payloads].reverse().map((p) => {
    try {
      const s = summarizePayload(p.bytes)
      return h('tr', { 'data-round': String(s.roundId) }, h('td', {}, String(s.roundId)), h('td', {}, `v${s.modelVersion}`), h('td', {}, new Date(p.sentAt).toLocaleTimeString('en-US')), h('td', { 'data-field': 'bytes' }, String(s.bytes)), h('td', {}, String(s.format)), h('td', {}, `${s.values} ${s.encoding}`), h('td', { 'data-field': 'clip' }, fmtF32(s.clipNorm)), h('td', { 'data-field': 'noise' }, fmtF32(s.noiseMultiplier)), h('td', {}, s.noiseMode), h('td', {}, s.norm.toFixed(3)), h('td', {}, s.clipBit === null ? '—' : s.clipBit.toFixed(3)), h('td', { class: 'mono' }, `${s.nonce.slice(0, 12)}…`), h('td', { class: 'mono' }, s.head.map((x) => x.toFixed(4)).join(', ')))
    } catch (e) {
      return h('tr', { 'data-round': String(p.roundId) }, h('td', {}, String(p.roundId)), h('td', { colspan: '12' }, `not decodable: ${e instanceof Error ? e.message : String(e)}`))
    }
  })
  return h('div', { class: 'table-wrap' }, h('table', { id: 'payloads' }, h('thead', {}, head), h('tbody', {}, ...rows)))
}
