/**
 * The demo store in a real browser against the real edge: a purchase end to end with the GA4
 * events it records, the widgets for a new and for a browsing shopper, the privacy panel against
 * the SDK and the server, the simulated shoppers and their chart, and a non-blank screenshot of
 * every page (saved under test-results/demo-shop/).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runSimulation } from '../scripts/simulate/run-simulation.js'
import { echoConsole, launchChromium } from './support/browser.js'
import { REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'
import { saveScreenshot } from './support/screenshot.js'

interface Product {
  readonly id: number
  readonly sku: string
  readonly title: string
  readonly category: string
  readonly price: number
}

interface StoredEvent {
  readonly name: string
  readonly params: { readonly items?: readonly { item_id: string; quantity?: number; index?: number; item_list_id?: string }[]; readonly transaction_id?: string; readonly value?: number; readonly item_list_id?: string }
}

interface Status {
  readonly backend: string | null
  readonly modelVersion: number | null
  readonly events: number
  readonly consent: string
  readonly storage: string
}

const ARTEFACTS = join(REPO_ROOT, 'test-results/demo-shop')

let edge: EdgeServer
let browser: Browser
let products: Product[]
const consoleLines: string[] = []
const screenshots: { name: string; lumaStd: number; colours: number }[] = []

async function newShopper(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
  echoConsole(context, name, consoleLines)
  return { context, page: await context.newPage() }
}

/** Saves a full-page screenshot and checks that it shows something. */
async function shot(page: Page, name: string): Promise<void> {
  const stats = await saveScreenshot(browser, page, join(ARTEFACTS, `${name}.png`))
  screenshots.push({ name, lumaStd: stats.lumaStd, colours: stats.colours })
  expect(stats.width, `${name}: screenshot width`).toBeGreaterThan(300)
  // A blank page has a luminance deviation near 0 and a handful of colours (see the first test).
  expect(stats.lumaStd, `${name}: the page is not blank`).toBeGreaterThan(15)
  expect(stats.colours, `${name}: the page has content`).toBeGreaterThan(100)
}

async function sdkStatus(page: Page): Promise<Status> {
  return page.evaluate(async () => {
    const g = window as unknown as { fedrec: { ready: Promise<{ status(): Promise<Status> }> } }
    return (await g.fedrec.ready).status()
  })
}

/** The events on the device, read straight from its IndexedDB (the test may look anywhere). */
async function deviceEvents(page: Page): Promise<StoredEvent[]> {
  return page.evaluate(
    () =>
      new Promise<StoredEvent[]>((resolve, reject) => {
        const open = indexedDB.open('fedrec')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const req = db.transaction('events').objectStore('events').getAll()
          req.onsuccess = () => {
            resolve(req.result as StoredEvent[])
            db.close()
          }
          req.onerror = () => reject(req.error)
        }
      }),
  )
}

/** The "Why am I seeing this?" text of each item of a widget. */
async function whyTexts(page: Page, slot: string): Promise<string[]> {
  return page.locator(`#${slot} .fedrec-widget__item .fedrec-widget__why-text`).evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''))
}

async function widgetItems(page: Page, slot: string): Promise<string[]> {
  await page.locator(`#${slot} .fedrec-widget__item`).first().waitFor({ timeout: 120_000 })
  return page.locator(`#${slot} .fedrec-widget__item`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.itemId ?? ''))
}

beforeAll(async () => {
  // One update closes a round, so a single shopper can see the ledger and the chart move.
  edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1', FEDREC_SAMPLE_RATE: '1', FEDREC_ROUND_SECONDS: '3600', FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_NOISE_MODE: 'distributed' } })
  browser = await launchChromium()
  products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as Product[]
})

afterAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true })
  writeFileSync(join(ARTEFACTS, 'console.log'), `${consoleLines.join('\n')}\n--- wrangler ---\n${edge?.log() ?? ''}`)
  writeFileSync(join(ARTEFACTS, 'screenshots.json'), JSON.stringify(screenshots, null, 1))
  await browser?.close()
  await edge?.stop()
})

describe('demo store', () => {
  it('lets a shopper find, buy and get a confirmation, recording the GA4 events a shop would', async () => {
    const { context, page } = await newShopper('buyer')
    // The blankness check tells a blank page from a rendered one.
    await page.goto('about:blank')
    const blank = await saveScreenshot(browser, page, join(ARTEFACTS, 'blank.png'))
    expect(blank.lumaStd).toBeLessThan(1)
    expect(blank.colours).toBeLessThan(5)
    await page.goto(edge.url)
    await page.locator('#consent-deny').click()
    // The widget records its impression once it has been on screen (an IntersectionObserver, which
    // needs a rendered frame: the screenshot makes one); leaving the page before the event is
    // stored would rightly record none, so the test waits for the stored event, not for the DOM.
    await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
    await shot(page, 'home')
    await expect.poll(async () => (await deviceEvents(page)).some((e) => e.name === 'view_item_list' && e.params.item_list_id === 'for_you'), { timeout: 30_000 }).toBe(true)
    const phones = products.filter((p) => p.category === 'smartphones')
    const [first, second] = [phones[2]!, phones[5]!]
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'smartphones' }).click()
    await page.getByRole('heading', { level: 1, name: 'smartphones' }).waitFor()
    expect(await page.locator('#products a[data-sku]').count()).toBe(phones.length)
    await expect.poll(() => page.locator('#categories a[aria-current="page"]').textContent()).toBe('smartphones')
    await shot(page, 'category')
    await page.locator(`#products a[data-sku="${first.sku}"]`).click()
    await page.getByRole('heading', { level: 1, name: first.title }).waitFor()
    await page.locator('#quantity').fill('2')
    await page.locator('#add-to-cart').click()
    await page.locator('#go-to-cart').waitFor()
    expect(await page.locator('#cart-count').textContent()).toBe('2')
    await page.locator('#related .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
    await shot(page, 'product')

    await page.goto(`${edge.url}product.html?id=${second.id}`)
    await page.locator('#add-to-cart').click()
    await page.locator('#go-to-cart').click()
    await page.getByRole('heading', { name: 'Your cart' }).waitFor()
    expect(await page.locator('#cart-lines li').count()).toBe(2)
    // Change a quantity and remove a line: the totals and the badge follow.
    await page.getByLabel(`Quantity of ${first.title}`).fill('3')
    await page.getByLabel(`Quantity of ${first.title}`).dispatchEvent('change')
    await page.getByRole('button', { name: `Remove ${second.title}` }).click()
    expect(await page.locator('#cart-lines li').count()).toBe(1)
    expect(await page.locator('#cart-count').textContent()).toBe('3')
    const total = Math.round(first.price * 3 * 100) / 100
    expect(await page.locator('#cart-total').textContent()).toBe(`Total ${new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(total)}`)
    await shot(page, 'cart')

    await page.locator('#checkout').click()
    await page.locator('#order-confirmed').waitFor()
    const orderId = (await page.locator('#order-id').textContent())!
    // wrangler's asset handling serves /order.html as /order.
    expect(new URL(page.url()).pathname).toMatch(/^\/order(\.html)?$/)
    expect(new URL(page.url()).hash, 'the order id stays in the fragment, off the wire').toBe(`#${orderId}`)
    expect(await page.locator('#order-lines li').textContent()).toContain(`3 × ${first.title}`)
    expect(await page.locator('#cart-count').textContent()).toBe('0')
    await shot(page, 'order')

    await page.goto(`${edge.url}cart.html`)
    await page.locator('#cart-empty').waitFor()

    const events = await deviceEvents(page)
    const names = events.map((e) => e.name)
    expect(names).toEqual(expect.arrayContaining(['view_item_list', 'select_item', 'view_item', 'add_to_cart', 'purchase']))
    // The store's own list, and the SDK's impression of the widget it rendered (list id, positions).
    const list = events.find((e) => e.name === 'view_item_list' && e.params.item_list_id === 'category_smartphones')!
    expect(list, 'the category list was recorded').toBeDefined()
    const widgetList = events.find((e) => e.name === 'view_item_list' && e.params.item_list_id === 'for_you')
    expect(widgetList?.params.items?.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(events.find((e) => e.name === 'select_item')!.params.items![0]).toMatchObject({ item_id: first.sku, item_list_id: 'category_smartphones' })
    expect(events.filter((e) => e.name === 'add_to_cart').map((e) => e.params.items![0])).toEqual([expect.objectContaining({ item_id: first.sku, quantity: 2 }), expect.objectContaining({ item_id: second.sku, quantity: 1 })])
    const purchase = events.find((e) => e.name === 'purchase')!
    expect(purchase.params).toMatchObject({ transaction_id: orderId, value: total })
    expect(purchase.params.items).toEqual([expect.objectContaining({ item_id: first.sku, quantity: 3 })])
    expect((await sdkStatus(page)).events).toBe(events.length)
    await context.close()
  })

  it('finds products by search, with the query kept in the URL fragment', async () => {
    const { context, page } = await newShopper('searcher')
    await page.goto(edge.url)
    // Typed before the store's script has wired the form, a search goes nowhere (method="dialog").
    await page.locator('form[role="search"][data-wired="true"]').waitFor()
    await page.locator('input[name="q"]').fill('oppo')
    await page.locator('input[name="q"]').press('Enter')
    await page.getByRole('heading', { name: 'Results for “oppo”' }).waitFor()
    expect(new URL(page.url()).search).toBe('')
    expect(new URL(page.url()).hash).toBe('#q=oppo')
    const found = await page.locator('#products a[data-sku]').evaluateAll((els) => els.map((e) => e.textContent ?? ''))
    expect(found.length).toBeGreaterThan(0)
    for (const t of found) expect(t.toLowerCase()).toContain('oppo')
    await shot(page, 'search')
    await page.locator('input[name="q"]').fill('no such thing anywhere')
    await page.locator('input[name="q"]').press('Enter')
    await page.locator('#no-results').waitFor()
    await context.close()
  })

  it('shows widgets to a new shopper (cold start) and changes them after browsing', async () => {
    const { context, page } = await newShopper('browser')
    await page.goto(edge.url)
    const cold = await widgetItems(page, 'for-you')
    expect(cold).toHaveLength(8)
    const coldWhy = await whyTexts(page, 'for-you')
    expect(coldWhy, 'every recommendation says why it is shown').toHaveLength(8)
    for (const t of coldWhy) expect(t.length).toBeGreaterThan(5)
    expect((await widgetItems(page, 'trending')).length).toBeGreaterThan(0)
    expect((await whyTexts(page, 'trending')).every((t) => t.length > 5)).toBe(true)
    await page.locator('#recently-viewed[data-count="0"] .widget-empty').waitFor()
    await shot(page, 'home-widgets')
    const fresh = await newShopper('browser-2')
    await fresh.page.goto(edge.url)
    expect(await widgetItems(fresh.page, 'for-you'), 'every new shopper gets the same cold-start list').toEqual(cold)
    await fresh.context.close()

    const sports = products.filter((p) => p.category === 'sports-accessories')
    await page.goto(`${edge.url}product.html?id=${sports[0]!.id}`)
    const relatedCold = await widgetItems(page, 'related')
    expect(relatedCold.length).toBeGreaterThan(0)
    expect(relatedCold).not.toContain(sports[0]!.sku)
    expect((await whyTexts(page, 'related')).every((t) => t.length > 5)).toBe(true)
    await page.locator('#bought-together[data-count]').waitFor({ timeout: 120_000 })
    expect(await whyTexts(page, 'bought-together')).toHaveLength(Number(await page.locator('#bought-together').getAttribute('data-count')))
    for (const p of sports.slice(1, 7)) {
      await page.goto(`${edge.url}?category=sports-accessories`)
      await page.locator(`#products a[data-sku="${p.sku}"]`).click()
      await page.locator('#add-to-cart').waitFor()
    }
    await page.goto(edge.url)
    const warm = await widgetItems(page, 'for-you')
    expect(warm, 'recommendations follow what this shopper browsed').not.toEqual(cold)
    expect(await whyTexts(page, 'for-you'), 'and so do their explanations').not.toEqual(coldWhy)
    const recent = await widgetItems(page, 'recently-viewed')
    expect(recent[0], 'the last product viewed comes first').toBe(sports[6]!.sku)
    expect(recent).toEqual(expect.arrayContaining(sports.slice(2, 7).map((p) => p.sku)))
    const sportsSkus = new Set(sports.map((p) => p.sku))
    expect(warm.filter((id) => sportsSkus.has(id)).length, `"Recommended for you" after browsing sports: ${warm.join(', ')}`).toBeGreaterThanOrEqual(3)
    await context.close()
  })

  it("shows on the privacy panel exactly what the SDK and the server report, and updates it live", async () => {
    const { context, page } = await newShopper('privacy')
    await page.goto(`${edge.url}privacy.html`)
    await page.locator('#consent-state').waitFor({ timeout: 120_000 })
    expect(await page.locator('#consent-state').textContent()).toBe('pending')
    await page.locator('#privacy-grant').click()
    await expect.poll(() => page.locator('#consent-state').textContent()).toBe('granted')
    // Browse a little, then take part in a round (one update closes it on this edge).
    const groceries = products.filter((p) => p.category === 'groceries')
    for (const p of groceries.slice(0, 4)) {
      await page.goto(`${edge.url}product.html?id=${p.id}`)
      await page.locator('#add-to-cart').click()
    }
    const sent = await page.evaluate(async () => {
      const g = window as unknown as { fedrec: { ready: Promise<{ participate(): Promise<{ status: string; reason?: string; detail?: string }> }> } }
      return (await g.fedrec.ready).participate()
    })
    expect(sent.status === 'sent' || (sent.reason === 'already_decided' && sent.detail === 'sent'), JSON.stringify(sent)).toBe(true)

    await page.goto(`${edge.url}privacy.html`)
    await page.locator('#device-events').waitFor({ timeout: 120_000 })
    // What is stored: the latest events, named as recorded.
    await expect.poll(() => page.locator('#device-recent').textContent()).toContain('add_to_cart')
    const st = await sdkStatus(page)
    await expect.poll(() => page.locator('#device-events').textContent()).toBe(String(st.events))
    expect(await page.locator('#device-model-version').textContent()).toBe(String(st.modelVersion))
    expect(await page.locator('#device-backend').textContent()).toBe(st.backend)
    expect(await page.locator('#consent-state').textContent()).toBe(st.consent)
    const server = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: { roundId: number; cohortSize: number; epsilon?: number | null }[]; current: { roundId: number } }
    expect(server.rounds.length).toBeGreaterThan(0)
    await expect.poll(() => page.locator('#round-ledger tbody tr').count()).toBe(server.rounds.length)
    for (const r of server.rounds) {
      const row = page.locator(`#round-ledger tr[data-round="${r.roundId}"]`)
      expect(await row.locator('[data-field="participants"]').textContent()).toBe(String(r.cohortSize))
      if (typeof r.epsilon === 'number') expect(await row.locator('[data-field="epsilon"]').textContent()).toBe(r.epsilon.toPrecision(4))
    }
    expect(await page.locator('#round-current').textContent()).toContain(`Open round ${server.current.roundId} `)

    // The device's own ledger and the payloads it kept, against the SDK's privacy API.
    const mine = await page.evaluate(async () => {
      const g = window as unknown as { fedrec: { ready: Promise<{ privacy: { ledger(): Promise<{ epsilon: number | null; delta: number; budget: { epsilon: number } | null; entries: unknown[] } | null>; sentPayloads(): Promise<{ roundId: number; bytes: Uint8Array }[]> } }> } }
      const c = await g.fedrec.ready
      const [ledger, sent] = await Promise.all([c.privacy.ledger(), c.privacy.sentPayloads()])
      return { ledger, sent: sent.map((p) => ({ roundId: p.roundId, bytes: p.bytes.length })) }
    })
    expect(mine.ledger?.epsilon, 'the device has spent some ε').toBeGreaterThan(0)
    await expect.poll(() => page.locator('#device-epsilon').textContent()).toBe(mine.ledger!.epsilon!.toPrecision(4))
    expect(await page.locator('#device-budget').textContent()).toContain(`ε ${mine.ledger!.budget!.epsilon} at δ`)
    expect(mine.sent.length).toBeGreaterThan(0)
    await expect.poll(() => page.locator('#payloads tbody tr').count()).toBe(mine.sent.length)
    for (const p of mine.sent) {
      const row = page.locator(`#payloads tr[data-round="${p.roundId}"]`)
      expect(await row.locator('[data-field="bytes"]').textContent()).toBe(String(p.bytes))
      const round = (server.rounds as unknown as { roundId: number; clipNorm: number; noiseMultiplier: number }[]).find((r) => r.roundId === p.roundId)!
      expect(Number(await row.locator('[data-field="clip"]').textContent())).toBeCloseTo(round.clipNorm, 5)
      expect(Number(await row.locator('[data-field="noise"]').textContent())).toBeCloseTo(round.noiseMultiplier, 5)
    }
    await shot(page, 'privacy')

    // The buttons act on the device: denying deletes what was stored.
    await page.locator('#privacy-deny').click()
    await expect.poll(() => page.locator('#consent-state').textContent(), { timeout: 30_000 }).toBe('denied')
    await expect.poll(() => page.locator('#device-events').textContent(), { timeout: 30_000 }).toBe('0')
    expect((await sdkStatus(page)).events).toBe(0)
    await page.locator('#device-recent-empty').waitFor()
    // Forgetting deletes everything, the ledger and the kept payloads too, and asks again.
    await page.locator('#privacy-forget').click()
    // The panel finishes the reading in progress, forgets, then reads again: seconds under load.
    await expect.poll(() => page.locator('#consent-state').textContent(), { timeout: 30_000 }).toBe('pending')
    await page.locator('#payloads-empty').waitFor()
    expect(await page.evaluate(async () => {
      const g = window as unknown as { fedrec: { ready: Promise<{ privacy: { sentPayloads(): Promise<unknown[]> } }> } }
      return (await (await g.fedrec.ready).privacy.sentPayloads()).length
    })).toBe(0)
    await context.close()
  })

  it('runs simulated shoppers whose rounds the privacy panel charts as they close', async () => {
    const { context, page } = await newShopper('watcher')
    await page.goto(`${edge.url}privacy.html`)
    await page.locator('#round-chart svg').waitFor()
    const dots = (): Promise<number> => page.locator('#round-chart [data-series="0"] circle').count()
    const before = await dots()
    const lines: string[] = []
    const report = await runSimulation(browser, { url: edge.url, shoppers: 2, rounds: 2, out: join(REPO_ROOT, 'dist/public/shop/simulation.json'), seed: 3, heldOutPerPersona: 10, delta: 1e-6, concurrency: 2, log: (l) => lines.push(l) })
    console.info(`[demo-shop] simulate:\n${lines.join('\n')}`)
    expect(report.evaluations.length, lines.join('\n')).toBeGreaterThanOrEqual(3)
    for (const e of report.evaluations) {
      expect(e.p20).toBeGreaterThanOrEqual(0)
      expect(e.p20).toBeLessThanOrEqual(100)
      expect(e.cases).toBe(report.heldOut.cases)
    }
    const closed = report.evaluations.filter((e) => e.roundId !== null)
    expect(closed.map((e) => e.participants).every((n) => n >= 1)).toBe(true)
    expect(closed[1]!.epsilon!).toBeGreaterThan(closed[0]!.epsilon!)
    // The open page redraws by itself: one P@20 dot per evaluated model version.
    await expect.poll(dots, { timeout: 20_000 }).toBeGreaterThanOrEqual(before + report.evaluations.length)
    expect(await page.locator('#round-chart-note').textContent()).toContain(`${report.heldOut.sessions} held-out simulated sessions`)
    await shot(page, 'privacy-chart')
    await context.close()
  })
})
