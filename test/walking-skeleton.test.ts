/**
 * The whole path in a real browser: script tag → events in IndexedDB → worker training → DP
 * update → edge FedAvg in a Durable Object → new global model → re-ranked widget; and the proof
 * that none of the shoppers' behaviour leaves their browsers.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeUpdate, updateBytes } from '../aggregator/src/index.js'
import { allowOnConsentBanner, captureRequests, echoConsole, launchChromium, type CapturedRequest } from './support/browser.js'
import { REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'
import { findLeaks, stableIdentifiers } from './support/privacy-guard.js'

interface Product {
  readonly id: number
  readonly sku: string
  readonly title: string
  readonly category: string
}

interface Shopper {
  readonly name: string
  readonly category: string
  readonly query: string
  context: BrowserContext
  page: Page
  net: ReturnType<typeof captureRequests>
  coldTop: string[]
}

/** Three tastes far apart in the catalogue. */
const TASTES = [
  { name: 'grocer', category: 'groceries', query: 'meat' },
  { name: 'phone-fan', category: 'smartphones', query: 'oppo' },
  { name: 'athlete', category: 'sports-accessories', query: 'cricket' },
] as const
const EVENT_NAMES = ['view_item', 'select_item', 'add_to_cart', 'purchase', 'search', 'view_item_list']

let edge: EdgeServer
let browser: Browser
let products: Product[]
/** The global model version published by the round the three shoppers completed. */
let publishedVersion = -1
const consoleLines: string[] = []

/** Top of the home page's "Recommended for you" widget, as item ids. */
async function forYou(page: Page): Promise<string[]> {
  await page.goto(edge.url)
  await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
  return page.locator('#for-you .fedrec-widget__item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId ?? ''))
}

async function sdkStatus(page: Page): Promise<{ backend: string | null; modelVersion: number | null; events: number; consent: string }> {
  return page.evaluate(async () => {
    const g = window as unknown as { fedrec: { ready: Promise<{ status(): Promise<{ backend: string | null; modelVersion: number | null; events: number; consent: string }> }> } }
    return (await g.fedrec.ready).status()
  })
}

/** Browses like a person with one taste: category page, product pages, cart, checkout, search. */
async function browse(s: Shopper): Promise<void> {
  const { page } = s
  const mine = products.filter((p) => p.category === s.category)
  await page.goto(`${edge.url}?category=${s.category}`)
  for (const p of mine.slice(0, 6)) {
    await page.goto(`${edge.url}?category=${s.category}`)
    await page.locator(`#products a[data-sku="${p.sku}"]`).click()
    await page.locator('#add-to-cart').waitFor()
    if (p === mine[1] || p === mine[3]) await page.locator('#add-to-cart').click()
  }
  await page.goto(`${edge.url}cart.html`)
  await page.locator('#checkout').click()
  await page.locator('#order-confirmed').waitFor()
  await page.locator('form[role="search"][data-wired="true"]').waitFor()
  await page.locator('input[name="q"]').fill(s.query)
  await page.locator('input[name="q"]').press('Enter')
  await page.getByRole('heading', { name: `Results for “${s.query}”` }).waitFor()
  expect(await page.locator('#products a').count(), `search "${s.query}" finds products`).toBeGreaterThan(0)
  for (const p of mine.slice(6, 9)) {
    await page.goto(`${edge.url}product.html?id=${p.id}`)
    await page.locator('#add-to-cart').waitFor()
  }
}

async function participate(page: Page): Promise<{ status: string; reason?: string; detail?: string; backend?: string; bytes?: number }> {
  return page.evaluate(async () => {
    const g = window as unknown as { fedrec: { ready: Promise<{ participate(): Promise<{ status: string; reason?: string; detail?: string }> }> } }
    return (await g.fedrec.ready).participate()
  })
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: '3',
      FEDREC_EXPECTED_CLIENTS: '3',
      FEDREC_SAMPLE_RATE: '1',
      FEDREC_ROUND_SECONDS: '3600',
      FEDREC_CLIP_NORM: '1',
      FEDREC_NOISE_MULTIPLIER: '0.1',
    },
  })
  browser = await launchChromium()
  products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as Product[]
})

afterAll(async () => {
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true })
  writeFileSync(join(REPO_ROOT, 'test-results/walking-skeleton.console.log'), `${consoleLines.join('\n')}\n--- wrangler ---\n${edge?.log() ?? ''}`)
  await browser?.close()
  await edge?.stop()
})

describe('walking skeleton', () => {
  const shoppers: Shopper[] = []

  it('serves the store with a cold-start widget to three new shoppers', async () => {
    for (const t of TASTES) {
      const context = await browser.newContext()
      echoConsole(context, t.name, consoleLines)
      const net = captureRequests(context)
      const page = await context.newPage()
      const s: Shopper = { ...t, context, page, net, coldTop: [] }
      s.coldTop = await forYou(page)
      expect(s.coldTop.length, 'the widget shows recommendations before any browsing').toBe(8)
      shoppers.push(s)
    }
    // A new shopper sees the published popularity order: the same list for everyone.
    expect(shoppers[1]!.coldTop).toEqual(shoppers[0]!.coldTop)
  })

  it('records events on the device and trains, then each device sends one private update', async () => {
    const round0 = (await (await fetch(`${edge.url}v1/round`)).json()) as { roundId: number; modelVersion: number }
    for (const s of shoppers) {
      await s.page.goto(edge.url)
      await allowOnConsentBanner(s.page)
      await browse(s)
      const st = await sdkStatus(s.page)
      expect(st.consent).toBe('granted')
      expect(st.events, `${s.name}: events recorded in IndexedDB`).toBeGreaterThanOrEqual(15)
      console.info(`[e2e] ${s.name}: backend ${st.backend}, ${st.events} events on the device`)
      const r = await participate(s.page)
      // The SDK may already have taken part on its own after 5 s of quiet; either way, once.
      const sent = r.status === 'sent' || (r.reason === 'already_decided' && r.detail === 'sent')
      expect(sent, `${s.name}: participation ${JSON.stringify(r)}`).toBe(true)
    }
    const round1 = (await (await fetch(`${edge.url}v1/round`)).json()) as { roundId: number; modelVersion: number }
    expect(round1.roundId, 'the round closed when the expected cohort arrived').toBe(round0.roundId + 1)
    expect(round1.modelVersion, 'a new global model was published').toBe(round0.modelVersion + 1)
    publishedVersion = round1.modelVersion
    const ledger = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: { roundId: number; cohortSize: number; outcome: string }[] }
    expect(ledger.rounds.find((r) => r.roundId === round0.roundId)).toMatchObject({ cohortSize: 3, outcome: 'published', publishedVersion: round1.modelVersion })
  })

  it("re-ranks each shopper's widget with the new model towards that shopper's own history", async () => {
    const tops: string[][] = []
    for (const s of shoppers) {
      const top = await forYou(s.page)
      const st = await sdkStatus(s.page)
      // The devices keep taking part on idle (consent granted, new events such as the widgets'
      // impressions), so a later round may have published an even newer model by now.
      expect(st.modelVersion, `${s.name} ranks with the new global model`).toBeGreaterThanOrEqual(publishedVersion)
      const mineSkus = new Set(products.filter((p) => p.category === s.category).map((p) => p.sku))
      const mineInTop = top.filter((id) => mineSkus.has(id)).length
      console.info(`[e2e] ${s.name}: ${mineInTop}/8 of "Recommended for you" from ${s.category}`)
      expect(mineInTop, `${s.name}'s widget leads with ${s.category}: ${top.join(', ')}`).toBeGreaterThanOrEqual(5)
      expect(mineSkus.has(top[0]!), `${s.name}'s first recommendation is from ${s.category}`).toBe(true)
      expect(top).not.toEqual(s.coldTop)
      tops.push(top)
    }
    expect(new Set(tops.map((t) => t.join())).size, 'three tastes, three different orders').toBe(3)
  })

  it('sends no item id, search query, event name, cookie or identifier, in any request', async () => {
    const logs: CapturedRequest[][] = []
    for (const s of shoppers) logs.push(await s.net.settled())
    const all = logs.flat()
    const uploads = all.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/updates')
    // The capture sees the worker's own requests: the three updates of the first round at least
    // (a device may take part in the next round on its own while the test goes on).
    expect(uploads.length).toBeGreaterThanOrEqual(3)
    const leaks = findLeaks(all, { itemIds: products.map((p) => p.sku), queries: TASTES.map((t) => t.query), eventNames: EVENT_NAMES })
    expect(leaks.map((l) => `${l.what} in ${l.where} of ${l.url}`)).toEqual([])
    // Everything the SDK sends goes to /v1/*: there, no value may single a device out. (Static
    // files carry the shop's own navigation, e.g. conditional requests for images a shopper saw.)
    const api = logs.map((l) => l.filter((r) => new URL(r.url).pathname.startsWith('/v1/')))
    expect(api.every((l) => l.length > 0)).toBe(true)
    expect(stableIdentifiers(api)).toEqual([])
    // An empty value (seen when a worker's request outlives its page's navigation) names no page.
    for (const r of api.flat()) expect(r.headers.referer || undefined, `${r.url} is sent without a Referer`).toBeUndefined()
    for (const s of shoppers) expect(await s.context.cookies()).toEqual([])
    // Each upload is exactly the documented wire format: a header and the values in the round's
    // encoding (int8 by default: block scales and codes, format 3), nothing more.
    const nonces = new Set<string>()
    const perRound = new Map<number, number>()
    for (const u of uploads) {
      const decoded = decodeUpdate(new Uint8Array(u.body!))
      expect(u.headers['content-type']).toBe('application/octet-stream')
      expect(Object.keys(decoded).sort()).toEqual(['clipNorm', 'data', 'encoding', 'modelVersion', 'noiseMode', 'noiseMultiplier', 'nonce', 'roundId', 'shapes'])
      expect(decoded.encoding).toBe('int8')
      expect(u.body!.byteLength, 'header, shape table, one scale per 256 values, one byte a value').toBe(updateBytes(decoded.shapes, 'int8'))
      nonces.add(Buffer.from(decoded.nonce).toString('hex'))
      perRound.set(decoded.roundId, (perRound.get(decoded.roundId) ?? 0) + 1)
    }
    expect(nonces.size, 'nonces are one-time, never a device id').toBe(uploads.length)
    expect(perRound.get(Math.min(...perRound.keys())), 'one update per shopper in the first round').toBe(3)
  })
})
