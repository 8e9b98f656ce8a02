/**
 * The privacy ledgers in a real browser: a shopper's device with a configured (ε, δ) budget takes
 * part in rounds (adaptive clipping on, so payloads carry the format 2 clip bit) until the next
 * round would overspend, then stops and says why; its ε, the server's per-round cumulative ε and
 * the accountant recomputed here agree; the payloads it exposes are the bytes it sent and pass
 * the audit.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditPayload, computeEpsilon, computeEpsilonForSteps, decodeModel, decodeUpdate, type RoundLedgerEntry } from '../aggregator/src/index.js'
import type { DevicePrivacyLedger, SentPayload } from '../sdk/src/worker/privacy-types.js'
import { allowOnConsentBanner, captureRequests, echoConsole, launchChromium } from './support/browser.js'
import { REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'

const Q = 1
const Z = 2
const DELTA = 1e-6
/** Between ε after 3 and after 4 rounds: the device may take part exactly 3 times. */
const BUDGET = (computeEpsilon({ q: Q, noiseMultiplier: Z, rounds: 3, delta: DELTA }).epsilon + computeEpsilon({ q: Q, noiseMultiplier: Z, rounds: 4, delta: DELTA }).epsilon) / 2

interface Product {
  readonly id: number
  readonly sku: string
  readonly category: string
}
interface Participation {
  status: string
  reason?: string
  detail?: string
  roundId?: number
}

let edge: EdgeServer
let browser: Browser
let context: BrowserContext
let page: Page
let net: ReturnType<typeof captureRequests>
const consoleLines: string[] = []

async function participate(): Promise<Participation> {
  return page.evaluate(async () => {
    const g = window as unknown as { fedrec: { ready: Promise<{ participate(): Promise<Participation> }> } }
    return (await g.fedrec.ready).participate()
  })
}

/** Reads the SDK's privacy API; payload bytes come back as plain arrays through evaluate. */
async function devicePrivacy(): Promise<{ ledger: DevicePrivacyLedger; sent: (Omit<SentPayload, 'bytes'> & { bytes: number[] })[]; status: { privacy: { epsilon: number | null; stopped: { reason: string; detail: string } | null } | null } }> {
  return page.evaluate(async () => {
    type Client = { privacy: { ledger(): Promise<unknown>; sentPayloads(): Promise<{ bytes: Uint8Array }[]> }; status(): Promise<unknown> }
    const client = await (window as unknown as { fedrec: { ready: Promise<Client> } }).fedrec.ready
    const sent = await client.privacy.sentPayloads()
    return { ledger: (await client.privacy.ledger()) as never, sent: sent.map((s) => ({ ...s, bytes: Array.from(s.bytes) })) as never, status: (await client.status()) as never }
  })
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: '1',
      FEDREC_EXPECTED_CLIENTS: '1',
      FEDREC_SAMPLE_RATE: String(Q),
      FEDREC_NOISE_MULTIPLIER: String(Z),
      FEDREC_CLIP_NORM: '1',
      FEDREC_CLIP_QUANTILE: '0.5',
      FEDREC_CLIP_COUNT_STDDEV: '2',
      FEDREC_TARGET_DELTA: String(DELTA),
      FEDREC_ROUND_SECONDS: '3600',
    },
  })
  browser = await launchChromium()
  context = await browser.newContext()
  echoConsole(context, 'device', consoleLines)
  net = captureRequests(context)
  // The shop configures the SDK through the queue stub, before the loader runs.
  await context.addInitScript(`window.fedrec = function () { (window.fedrec.q = window.fedrec.q || []).push(arguments) };
    window.fedrec('init', { autoParticipate: false, privacy: { budget: { epsilon: ${BUDGET}, delta: ${DELTA} }, participationCap: { max: 10, periodMs: 3600000 } } })`)
  page = await context.newPage()
})

afterAll(async () => {
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true })
  writeFileSync(join(REPO_ROOT, 'test-results/privacy-ledger.console.log'), `${consoleLines.join('\n')}\n--- wrangler ---\n${edge?.log() ?? ''}`)
  await browser?.close()
  await edge?.stop()
})

describe('privacy ledgers', () => {
  it('takes part until the budget would be overspent, then stops and tells the page why', async () => {
    const products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as Product[]
    await page.goto(edge.url)
    await allowOnConsentBanner(page)
    const mine = products.filter((p) => p.category === 'smartphones').slice(0, 5)
    for (const p of mine) {
      await page.goto(`${edge.url}product.html?id=${p.id}`)
      await page.locator('#add-to-cart').waitFor()
    }
    const results: Participation[] = []
    for (let i = 0; i < 4; i++) results.push(await participate())
    expect(results.slice(0, 3).map((r) => r.status), JSON.stringify(results)).toEqual(['sent', 'sent', 'sent'])
    expect(results[3]).toMatchObject({ status: 'skipped', reason: 'budget_exhausted' })
    expect(results[3]!.detail).toMatch(/no longer contributes/)
    // It stays stopped: another round, same answer, nothing sent.
    expect(await participate()).toMatchObject({ status: 'skipped', reason: 'budget_exhausted' })

    const { ledger, status } = await devicePrivacy()
    expect(status.privacy?.stopped?.reason, 'the status tells the page why').toBe('budget_exhausted')
    expect(ledger.entries.map((e) => [e.sampled, e.bytes > 0, e.clipQuantile])).toEqual([[true, true, 0.5], [true, true, 0.5], [true, true, 0.5]])
    const want = computeEpsilon({ q: Q, noiseMultiplier: Z, rounds: 3, delta: DELTA }).epsilon
    expect(ledger.epsilon).toBeCloseTo(want, 9)
    expect(ledger.epsilon!).toBeLessThanOrEqual(BUDGET)
    expect(ledger.budget).toEqual({ epsilon: BUDGET, delta: DELTA })
    expect(status.privacy?.epsilon).toBeCloseTo(want, 9)
  })

  it("matches the server ledger's cumulative ε, recomputed with the accountant", async () => {
    const p = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: RoundLedgerEntry[]; model: { epsilon: number; delta: number; rounds: number } }
    const published = p.rounds.filter((r) => r.outcome === 'published')
    expect(published).toHaveLength(3)
    published.forEach((r, i) => {
      expect(r).toMatchObject({ cohortSize: 1, sampleRate: Q, noiseMultiplier: Z, noiseMode: 'local', delta: DELTA })
      expect(r.adaptiveClipping).toMatchObject({ targetQuantile: 0.5, countNoiseStd: 2 })
      const steps = published.slice(0, i + 1).map((x) => ({ q: x.sampleRate, noiseMultiplier: x.noiseMultiplier }))
      expect(r.epsilon).toBeCloseTo(computeEpsilonForSteps(steps, DELTA).epsilon, 9)
    })
    // The device took part in every published round, so its ε is the model's.
    const { ledger } = await devicePrivacy()
    expect(p.model.epsilon).toBeCloseTo(ledger.epsilon!, 9)
    // Adaptive clipping moved C between rounds, and the device applied the announced one.
    expect(ledger.entries.map((e) => e.clipNorm)).toEqual(published.map((r) => r.clipNorm))
    expect(published[1]!.clipNorm).toBeCloseTo(published[0]!.adaptiveClipping!.nextClipNorm, 6)
  })

  it('exposes the payloads it sent, byte for byte, and each passes the audit', async () => {
    const { sent } = await devicePrivacy()
    const uploads = (await net.settled()).filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/updates')
    expect(uploads).toHaveLength(3)
    expect(sent.map((s) => Buffer.from(s.bytes).toString('hex'))).toEqual(uploads.map((u) => u.body!.toString('hex')))
    const layout = decodeModel(new Uint8Array(await (await fetch(`${edge.url}v1/model`)).arrayBuffer())).description.layout
    for (const s of sent) {
      const bytes = Uint8Array.from(s.bytes)
      const report = auditPayload(bytes, { layout })
      expect(report.violation, JSON.stringify(report.checks)).toBeNull()
      expect(report.formatVersion, 'int8 values (format 3), the default').toBe(3)
      expect(decodeUpdate(bytes)).toMatchObject({ encoding: 'int8', clipBit: { countNoiseStd: 2 } })
    }
  })
})
