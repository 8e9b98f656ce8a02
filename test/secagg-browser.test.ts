/**
 * Secure aggregation in real browsers: ten chromium contexts run one secure round through
 * `wrangler dev`. Three shoppers close their tab mid-protocol — one before advertising its keys,
 * one before sealing its shares, one before sending its masked input — and the round still
 * publishes exactly the FedAvg of the seven that stayed. What crosses the wire for each device
 * is uniform-looking masked words, never its update.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeUpdate, type RoundConfig, type RoundLedgerEntry } from '../aggregator/src/index.js'
import { cohortScale, decodeMaskedInput, type SecureRoundConfig } from '../aggregator/src/secagg/index.js'
import { captureRequests, echoConsole, launchChromium, type CapturedRequest } from './support/browser.js'
import { EXACT_MODEL, PLAIN_FEDAVG, REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'
import { findLeaks } from './support/privacy-guard.js'
import { getModel } from './support/rounds.js'

interface Product {
  readonly id: number
  readonly sku: string
  readonly category: string
}

interface Device {
  readonly name: string
  readonly context: BrowserContext
  readonly page: Page
  readonly net: ReturnType<typeof captureRequests>
  /** The protocol request before which this device's tab closes, or null for one that stays. */
  readonly closesBefore: 'keys' | 'shares' | 'masked' | null
  closed: boolean
}

const DEVICES = 10
const DROPS = { 2: 'keys', 5: 'shares', 8: 'masked' } as const
const STEP_SECONDS = 15

let edge: EdgeServer
let browser: Browser
let products: Product[]
const devices: Device[] = []
const consoleLines: string[] = []

async function call<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(async (name) => {
    const c = (await (window as unknown as { fedrec: { ready: Promise<Record<string, unknown>> } }).fedrec.ready) as Record<string, unknown>
    const path = name.split('.')
    let target: Record<string, unknown> = c
    for (const p of path.slice(0, -1)) target = target[p] as Record<string, unknown>
    return (target[path.at(-1)!] as () => Promise<unknown>).call(target)
  }, fn) as Promise<T>
}

/** A shopper's tab with the SDK on the cpu backend (ten tabs share two cores) and no auto-send. */
async function openDevice(i: number): Promise<Device> {
  const context = await browser.newContext()
  await context.addInitScript(() => {
    const w = window as unknown as { fedrec: ((...a: unknown[]) => void) & { q?: unknown[] } }
    w.fedrec = function (...args: unknown[]) {
      ;(w.fedrec.q = w.fedrec.q ?? []).push(args)
    } as typeof w.fedrec
    w.fedrec('init', { backends: ['cpu'], autoParticipate: false })
  })
  echoConsole(context, `device-${i}`, consoleLines)
  const net = captureRequests(context)
  const page = await context.newPage()
  const closesBefore = (DROPS as Record<number, Device['closesBefore']>)[i] ?? null
  const d: Device = { name: `device-${i}`, context, page, net, closesBefore, closed: false }
  if (closesBefore) {
    // The shopper closes the tab the moment the SDK gets to this protocol step: the request never
    // arrives, and the page with its worker is gone.
    await context.route(`**/v1/secagg/cohorts/*/${closesBefore}`, async (route) => {
      d.closed = true
      await route.abort()
      await page.close()
    })
  }
  return d
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_SECURE_AGGREGATION: 'on',
      ...EXACT_MODEL,
      ...PLAIN_FEDAVG,
      FEDREC_NOISE_MODE: 'distributed',
      FEDREC_NOISE_MULTIPLIER: '1',
      FEDREC_CLIP_NORM: '1',
      FEDREC_SAMPLE_RATE: '1',
      FEDREC_SECAGG_COHORT_SIZE: String(DEVICES),
      // A third may drop: 7 of 10 must stay, and the round publishes with the 7.
      FEDREC_MIN_CLIENTS: '7',
      FEDREC_EXPECTED_CLIENTS: '7',
      FEDREC_SECAGG_STEP_SECONDS: String(STEP_SECONDS),
      FEDREC_ROUND_SECONDS: '3600',
      // Ten shoppers behind one address (127.0.0.1).
      FEDREC_RATE_LIMIT: '100000',
      FEDREC_UPLOAD_RATE_LIMIT: '1000',
    },
  })
  browser = await launchChromium()
  products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as Product[]
})

afterAll(async () => {
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true })
  writeFileSync(join(REPO_ROOT, 'test-results/secagg-browser.console.log'), `${consoleLines.join('\n')}\n--- wrangler ---\n${edge?.log() ?? ''}`)
  await browser?.close()
  await edge?.stop()
})

describe('secure aggregation in ten browsers', () => {
  it('publishes the exact FedAvg of the seven that stayed when three close their tab mid-protocol', async () => {
    const round = (await (await fetch(`${edge.url}v1/round`)).json()) as RoundConfig & SecureRoundConfig
    expect(round.secureAggregation).toMatchObject({ cohortSize: DEVICES, minSurvivors: 7 })
    const before = await getModel(edge.url)
    const categories = [...new Set(products.map((p) => p.category))]

    for (let i = 0; i < DEVICES; i++) {
      const d = await openDevice(i)
      await d.page.goto(edge.url)
      // The async loader replaces the queue stub with the SDK; wait for it before calling in.
      await d.page.waitForFunction(() => (window as unknown as { fedrec?: { ready?: unknown } }).fedrec?.ready !== undefined, undefined, { timeout: 60_000 })
      await call(d.page, 'consent.grant')
      // Each shopper looks at six products of one category (events go to its IndexedDB only).
      const mine = products.filter((p) => p.category === categories[i % categories.length]).slice(0, 6)
      await d.page.evaluate((skus) => {
        const f = (window as unknown as { fedrec: (...a: unknown[]) => void }).fedrec
        for (const sku of skus) f('event', 'view_item', { currency: 'USD', value: 1, items: [{ item_id: sku }] })
      }, mine.map((p) => p.sku))
      devices.push(d)
    }

    const t0 = Date.now()
    type Result = { status: string; reason?: string; detail?: string; secureAggregation?: { cohort: string; included: number } }
    const results = await Promise.all(devices.map((d) => call<Result>(d.page, 'participate').catch((e: unknown): Result => ({ status: 'tab closed', detail: String(e).slice(0, 80) }))))
    const wallMs = Date.now() - t0
    console.info(`[secagg-browser] one secure round, ${DEVICES} browsers, 3 dropouts, ${STEP_SECONDS} s step timeout: ${(wallMs / 1000).toFixed(1)} s wall (participate → published)`)
    console.info(`[secagg-browser] results: ${JSON.stringify(results.map((r) => r.status + (r.secureAggregation ? `:${r.secureAggregation.included}` : r.detail ? `:${r.detail.slice(0, 60)}` : '')))}`)

    const stayed = devices.filter((d) => !d.closesBefore)
    expect(devices.filter((d) => d.closed).map((d) => d.name)).toEqual(['device-2', 'device-5', 'device-8'])
    for (const [i, d] of devices.entries()) {
      if (d.closesBefore) expect(results[i]!.status, d.name).not.toBe('sent')
      else expect(results[i], d.name).toMatchObject({ status: 'sent', secureAggregation: { included: 7 } })
    }

    // The round published, and its ledger records one cohort of 7 with 3 dropped.
    const after = await getModel(edge.url)
    expect(after.version).toBe(before.version + 1)
    const privacy = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: RoundLedgerEntry[] }
    const entry = privacy.rounds.find((e) => e.roundId === round.roundId)!
    expect(entry).toMatchObject({ outcome: 'published', cohortSize: 7, noiseMode: 'distributed', noiseMultiplier: 1 })
    expect(entry.secureAggregation).toMatchObject({ cohorts: [{ included: 7, dropped: 3 }], worstCaseNoiseMultiplier: 1, minSurvivors: 7 })

    // The right sum: each device that stayed kept the update it masked; the published model moved
    // by exactly their average (fixed denominator 7, server learning rate 1), to the rounding grid.
    const kept = await Promise.all(stayed.map(async (d) => (await call<{ roundId: number; bytes: Record<string, number> }[]>(d.page, 'privacy.sentPayloads')).at(-1)!))
    const deltas = kept.map((p) => decodeUpdate(Uint8Array.from(Object.values(p.bytes))).data)
    const scale = cohortScale(round)
    let worst = 0
    for (let j = 0; j < before.weights.length; j++) {
      let s = 0
      for (const dlt of deltas) s += dlt[j]!
      worst = Math.max(worst, Math.abs(after.weights[j]! - before.weights[j]! - s / 7))
    }
    console.info(`[secagg-browser] largest deviation from w + ΣΔ/7: ${worst.toExponential(2)} (grid ${(7 / scale / 7).toExponential(2)}, float32 ulp near |w|)`)
    expect(worst).toBeLessThan(1 / scale + 2e-6)
  })

  it('sends each update only masked: uniform words on the wire, no item id or event data', async () => {
    const all: CapturedRequest[] = []
    const masked: CapturedRequest[] = []
    for (const d of devices) {
      const reqs = await d.net.settled()
      all.push(...reqs)
      // device-8's masked input was stopped by its closing tab: it never reached the server.
      if (d.closesBefore !== 'masked') masked.push(...reqs.filter((r) => r.method === 'POST' && /\/v1\/secagg\/cohorts\/[^/]+\/masked$/.test(new URL(r.url).pathname)))
    }
    expect(masked.length, 'seven devices sent a masked input').toBe(7)
    expect(all.some((r) => new URL(r.url).pathname === '/v1/updates' && r.method === 'POST'), 'no plain update is sent in a secure round').toBe(false)
    for (const r of masked) {
      const { words } = decodeMaskedInput(new Uint8Array(r.body!))
      const bins = new Float64Array(64)
      for (const w of words) bins[w >>> 26]!++
      const e = words.length / 64
      const chi = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0)
      // χ² with 63 degrees of freedom: mean 63, sd ≈ 11.2; 63 + 5 sd has p < 1e-5.
      expect(chi, 'masked words are uniform').toBeLessThan(63 + 5 * Math.sqrt(126))
    }
    const leaks = findLeaks(all, { itemIds: products.map((p) => p.sku), queries: [], eventNames: ['view_item', 'select_item', 'add_to_cart', 'purchase'] })
    expect(leaks.map((l) => `${l.what} in ${l.where} of ${l.url}`)).toEqual([])
  })
})
