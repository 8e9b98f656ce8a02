/**
 * The privacy panel: what is stored on this device, the consent choice, what was sent, and the
 * global rounds with their chart. Everything is read live from the SDK (on the device) and from
 * the edge's public endpoints; it refreshes every few seconds.
 */
import type { FedrecClient, FedrecStatus, StoredEvent } from '../../../sdk/src/entrypoints/sdk.js'
import { h } from '../dom.js'
import { chartPoints, type LedgerRound, type ModelEvaluation } from '../privacy/chart-points.js'
import { budgetFacts, payloadTable } from '../privacy/device-privacy-view.js'
import { roundChartSvg } from '../privacy/round-chart.js'
import { sdkClient } from '../sdk.js'

/** Refresh period of the panel. */
const REFRESH_MS = 3000

/** GET /v1/privacy, the fields the panel reads. */
interface PrivacyResponse {
  readonly rounds: readonly (LedgerRound & { readonly expectedClients: number; readonly noiseMultiplier: number; readonly clipNorm: number; readonly sampleRate: number; readonly noiseMode: string; readonly closedAt: number })[]
  readonly current: { readonly roundId: number; readonly modelVersion: number; readonly expectedClients: number; readonly minClients: number; readonly clipNorm: number; readonly noiseMultiplier: number; readonly noiseMode: string; readonly sampleRate: number; readonly deadline: number }
}

/** /shop/simulation.json as `npm run simulate` writes it (absent until a simulation ran). */
interface SimulationReport {
  readonly evaluations: readonly ModelEvaluation[]
  readonly heldOut?: { readonly sessions: number; readonly cases: number }
  readonly shoppers?: number
}

function dl(rows: readonly [string, string, Node | string][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([id, term, value]) => [h('dt', {}, term), h('dd', { id }, value)]))
}

function section(id: string, title: string, intro: string): { el: HTMLElement; body: HTMLElement } {
  const body = h('div', { class: 'panel__body' })
  const el = h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), h('p', { class: 'muted' }, intro), body)
  return { el, body }
}

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const res = await fetch(url, { cache: 'no-store' })
    return res.ok ? ((await res.json()) as T) : null
  } catch {
    return null
  }
}

function deviceFacts(st: FedrecStatus): HTMLElement {
  const attempts = st.backendAttempts.map((a) => `${a.backend} ${a.ok ? '✓' : `✗ (${a.error ?? 'failed'})`}`).join(', ')
  return dl([
    ['device-events', 'Events recorded', String(st.events)],
    ['device-storage', 'Stored in', st.storage === 'indexeddb' ? 'IndexedDB (this browser, this site)' : 'memory only (gone with this page)'],
    ['device-model-version', 'Global model version on this device', st.modelVersion === null ? 'none yet' : String(st.modelVersion)],
    ['device-backend', 'Training backend', st.backend ?? 'unavailable'],
    ['device-backend-attempts', 'Backends tried', attempts || '—'],
  ])
}

/** The last events recorded on the device, newest first, as the shopper would describe them. */
function recentEvents(events: readonly StoredEvent[]): HTMLElement {
  if (events.length === 0) return h('p', { class: 'muted', id: 'device-recent-empty' }, 'No events recorded on this device.')
  const rows = [...events].slice(-10).reverse().map((e) => {
    const names = e.params.items?.map((i) => i.item_name ?? i.item_id) ?? []
    const what = names.length > 0 ? `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}` : e.params.search_term ? `“${e.params.search_term}”` : ''
    return h('li', {}, h('code', {}, e.name), ` ${what} `, h('span', { class: 'muted' }, new Date(e.ts).toLocaleTimeString('en-US')))
  })
  return h('div', {}, h('h3', {}, 'Latest events'), h('ol', { id: 'device-recent', class: 'events' }, ...rows))
}

/** Runs an action on the device between two readings of the panel. */
type Act = (client: FedrecClient, action: () => Promise<void>) => void

function dataControls(client: FedrecClient, act: Act): HTMLElement {
  const download = h('button', { class: 'button button--quiet', id: 'privacy-export', type: 'button' }, 'Download my data (JSON)')
  download.addEventListener('click', () => {
    void client.export().then((data) => {
      const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' })), download: 'fedrec-local-data.json' })
      a.click()
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
    })
  })
  const forget = h('button', { class: 'button button--quiet', id: 'privacy-forget', type: 'button' }, 'Forget everything on this device')
  forget.addEventListener('click', () => act(client, () => client.forget()))
  return h('div', { class: 'actions' }, download, forget)
}

function consentControls(client: FedrecClient, state: string, act: Act): HTMLElement {
  const grant = h('button', { class: 'button', id: 'privacy-grant', type: 'button' }, 'Share noised updates')
  const deny = h('button', { class: 'button button--quiet', id: 'privacy-deny', type: 'button' }, 'Don’t share (and delete my data)')
  grant.disabled = state === 'granted'
  deny.disabled = state === 'denied'
  grant.addEventListener('click', () => act(client, () => client.consent.grant()))
  deny.addEventListener('click', () => act(client, () => client.consent.deny()))
  const words: Record<string, string> = { granted: 'Granted: this device may send noised model updates.', denied: 'Denied: nothing is sent; recommendations are still learned on this device.', pending: 'Not asked yet: nothing is sent until you choose.' }
  return h('div', {}, h('p', {}, 'Consent: ', h('strong', { id: 'consent-state', 'data-state': state }, state), ' — ', words[state] ?? ''), h('div', { class: 'actions' }, grant, deny))
}

function ledgerTable(p: PrivacyResponse): HTMLElement {
  const cur = p.current
  const current = h('p', { id: 'round-current' }, `Open round ${cur.roundId} trains model v${cur.modelVersion}: closes at ${cur.expectedClients} updates (publishes with at least ${cur.minClients}); clip norm ${cur.clipNorm}, noise multiplier ${cur.noiseMultiplier} (${cur.noiseMode}), sample rate ${cur.sampleRate}.`)
  if (p.rounds.length === 0) return h('div', {}, current, h('p', { class: 'muted', id: 'round-ledger-empty' }, 'No round has closed yet.'))
  const head = h('tr', {}, ...['Round', 'Outcome', 'Participants', 'Model', 'Clip norm', 'Noise ×', 'Sample rate', 'ε (cumulative)', 'Closed'].map((t) => h('th', { scope: 'col' }, t)))
  const rows = [...p.rounds].reverse().map((r) =>
    h('tr', { 'data-round': String(r.roundId) }, h('td', {}, String(r.roundId)), h('td', {}, r.outcome), h('td', { 'data-field': 'participants' }, String(r.cohortSize)), h('td', {}, r.publishedVersion === null ? `v${r.fromVersion} kept` : `v${r.fromVersion} → v${r.publishedVersion}`), h('td', {}, String(r.clipNorm)), h('td', {}, String(r.noiseMultiplier)), h('td', {}, String(r.sampleRate)), h('td', { 'data-field': 'epsilon' }, r.epsilon === undefined ? '—' : r.epsilon === null ? 'unbounded' : r.epsilon.toPrecision(4)), h('td', {}, new Date(r.closedAt).toLocaleTimeString('en-US'))),
  )
  return h('div', {}, current, h('div', { class: 'table-wrap' }, h('table', { id: 'round-ledger' }, h('thead', {}, head), h('tbody', {}, ...rows))))
}

/** Renders the panel and keeps it fresh. */
export function privacyPage(main: HTMLElement): void {
  const device = section('device', 'Stored on this device', 'Your events, the model and your personal fine-tuning live in this browser’s storage for this site. They are never uploaded.')
  const consent = section('consent', 'Your choice', 'Sharing is optional. Recording and on-device recommendations need no consent because nothing leaves the device.')
  const budget = section('budget', 'Privacy budget of this device', 'Every round this device drew its sampling coin in counts, sent or not; the RDP accountant composes them into (ε, δ).')
  const payloads = section('sent', 'Updates this device sent', 'Each payload exactly as it left, decoded here with the server’s own decoder: numbers only — a noised, clipped weight change, a round number and a one-time nonce.')
  const rounds = section('rounds', 'Shared model rounds', 'The server publishes every round it closed: how many devices took part and with what clipping and noise (GET /v1/privacy).')
  const chart = section('chart', 'How the shared model learns', 'Validation P@20 of each published model on held-out simulated shoppers’ sessions (run `npm run simulate`), with each round’s participants and the ε spent so far.')
  main.replaceChildren(h('h1', {}, 'Your privacy'), device.el, consent.el, budget.el, payloads.el, rounds.el, chart.el)

  let lastChart = ''
  const refresh = async (): Promise<void> => {
    const [priv, sim] = await Promise.all([getJson<PrivacyResponse>('/v1/privacy'), getJson<SimulationReport>('/shop/simulation.json')])
    if (priv) rounds.body.replaceChildren(ledgerTable(priv))
    else rounds.body.replaceChildren(h('p', { class: 'muted' }, 'The server’s ledger is unavailable right now.'))
    const svg = roundChartSvg(chartPoints(priv?.rounds ?? [], sim?.evaluations ?? []))
    if (svg !== lastChart) {
      lastChart = svg
      const holder = h('div', { id: 'round-chart' })
      holder.innerHTML = svg // built from numbers and fixed labels only (round-chart.ts)
      const note = sim?.heldOut ? `P@20 over ${sim.heldOut.cases} next-item predictions in ${sim.heldOut.sessions} held-out simulated sessions.` : 'No simulation has run against this server yet: P@20 appears once `npm run simulate` evaluates a published model.'
      chart.body.replaceChildren(holder, h('p', { class: 'muted', id: 'round-chart-note' }, note))
    }
  }
  // One reading of the device at a time, and none while a button's action runs: `forget()` deletes
  // the database, which a concurrent read would hold open (or open again).
  let reading: Promise<void> = Promise.resolve()
  let acting = false
  const readDevice = (client: FedrecClient): Promise<void> =>
    Promise.all([client.status(), client.consent.state(), client.privacy.ledger(), client.privacy.sentPayloads(), client.export()]).then(([st, state, ledger, sent, data]) => {
      device.body.replaceChildren(deviceFacts(st), recentEvents(data.events), dataControls(client, act))
      consent.body.replaceChildren(consentControls(client, state, act))
      budget.body.replaceChildren(ledger ? budgetFacts(ledger) : h('p', { class: 'muted' }, 'The on-device ledger is unavailable (no worker).'))
      payloads.body.replaceChildren(payloadTable(sent))
      main.dataset.deviceReady = 'true'
    })
  const refreshDevice = (client: FedrecClient): void => {
    if (acting) return
    reading = reading.then(() => readDevice(client)).catch((e: unknown) => console.warn('[demo-shop] privacy panel', e))
  }
  /** Runs a button's action on the device once the reading in progress is done, then reads again. */
  const act = (client: FedrecClient, action: () => Promise<void>): void => {
    acting = true
    void reading
      .then(action)
      .catch((e: unknown) => console.warn('[demo-shop] privacy panel', e))
      .finally(() => {
        acting = false
        refreshDevice(client)
      })
  }
  device.body.append(h('p', { class: 'muted' }, 'Reading this device’s storage…'))
  void sdkClient().then((client) => {
    refreshDevice(client)
    setInterval(() => refreshDevice(client), REFRESH_MS)
  })
  void refresh()
  setInterval(() => void refresh(), REFRESH_MS)
}
