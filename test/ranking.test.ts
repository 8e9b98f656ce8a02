/**
 * Ranking from the worker's caches, in a real browser: a returning shopper's page ranks from the
 * model cached on the device without downloading tfjs, a ranking makes no request at all, a
 * newly recorded event changes the next ranking, the tfjs backend chosen on one page is reused by
 * the next without its probe, and an erase in one tab reaches the worker of another.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureRequests, launchChromium } from './support/browser.js'
import { startEdge, type EdgeServer } from './support/edge.js'

interface Product {
  readonly id: number
  readonly sku: string
  readonly title: string
  readonly category: string
}

let edge: EdgeServer
let browser: Browser
let products: Product[]

/** A context whose pages configure the SDK through the documented `init` command before it loads. */
async function shopContext(): Promise<{ context: BrowserContext; logs: string[] }> {
  const context = await browser.newContext()
  const logs: string[] = []
  await context.addInitScript(() => {
    const w = window as unknown as { fedrec: ((...a: unknown[]) => void) & { q?: unknown[] } }
    w.fedrec = function (...args: unknown[]) {
      ;(w.fedrec.q = w.fedrec.q ?? []).push(args)
    } as typeof w.fedrec
    w.fedrec('init', { backends: ['wasm', 'cpu'], autoParticipate: false })
  })
  context.on('page', (p) => {
    p.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`))
    p.on('worker', (w) => w.on('console', (m) => logs.push(`worker ${m.type()}: ${m.text()}`)))
  })
  return { context, logs }
}

/** Runs `fn(client)` in the page once the SDK is ready. */
async function sdk<T>(page: Page, fn: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    async ([body, a]) => {
      const client = await (window as unknown as { fedrec: { ready: Promise<unknown> } }).fedrec.ready
      return new Function('client', 'arg', `return (async () => { ${body} })()`)(client, a)
    },
    [fn, arg] as const,
  ) as Promise<T>
}

const item = (p: Product) => ({ item_id: p.sku, item_name: p.title, item_category: p.category })
const inCategory = (c: string): Product[] => products.filter((p) => p.category === c)

async function browse(page: Page, list: readonly Product[]): Promise<void> {
  await sdk(page, `for (const it of arg) client.track('view_item', { items: [it] }); client.track('add_to_cart', { items: [arg[0]] }); await client.flush()`, list.map(item))
}

async function forYouWidget(page: Page): Promise<void> {
  await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
}

/** The records of the SDK's kv store, as the page's IndexedDB holds them. */
async function kvRecord(page: Page, key: string): Promise<unknown> {
  return page.evaluate(async (k) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const q = indexedDB.open('fedrec')
      q.onsuccess = () => ok(q.result)
      q.onerror = () => fail(q.error)
    })
    const v = await new Promise<unknown>((ok) => {
      const q = db.transaction('kv').objectStore('kv').get(k)
      q.onsuccess = () => ok(q.result)
    })
    db.close()
    return v
  }, key)
}

const tfjsChunk = (url: string): boolean => /\/sdk\/chunks\/worker-/.test(new URL(url).pathname)

beforeAll(async () => {
  edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '100', FEDREC_EXPECTED_CLIENTS: '100', FEDREC_SAMPLE_RATE: '1', FEDREC_ROUND_SECONDS: '3600' } })
  browser = await launchChromium()
  products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as Product[]
})

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
})

describe('ranking from the worker caches', () => {
  it('a returning page ranks without tfjs, with no request per ranking, and follows new events', async () => {
    const { context, logs } = await shopContext()
    const net = captureRequests(context)
    const page = await context.newPage()
    await page.goto(edge.url)
    await forYouWidget(page)
    const mine = inCategory('smartphones').slice(0, 6)
    await browse(page, mine)
    // The first personalisation fine-tunes here, with tfjs, and keeps the backend it chose.
    const first = await sdk<{ reason: { kind: string } }[]>(page, 'return client.recommend({ limit: 3 })')
    expect(first[0]!.reason.kind).toBe('history')
    const loaded = (await net.settled()).filter((r) => tfjsChunk(r.url))
    expect(loaded.length, 'the capture sees the tfjs chunks when they load').toBeGreaterThan(0)
    const choice = (await kvRecord(page, 'backend-choice')) as Record<string, unknown>
    expect(Object.keys(choice).sort()).toEqual(['at', 'attempts', 'backend', 'order'])
    expect(choice).toMatchObject({ backend: 'wasm', order: ['wasm', 'cpu'] })

    // The next page: the model, the personal fine-tune and the history are on the device.
    const before = net.requests.length
    await page.reload()
    await forYouWidget(page)
    const recs = await sdk<{ item: { item_id: string }; reason: { kind: string } }[]>(page, 'return client.recommend({ limit: 8 })')
    expect(recs[0]!.reason.kind).toBe('history')
    const candidates = products.map((p) => ({ item_id: p.sku }))
    const ranked = await sdk<{ item: { item_id: string }; score: number | null }[]>(page, 'return client.rank(arg)', candidates)
    expect(ranked.every((r) => Number.isFinite(r.score))).toBe(true)
    const afterLoad = (await net.settled()).slice(before)
    expect(afterLoad.filter((r) => tfjsChunk(r.url)).map((r) => r.url), 'no tfjs on a page that only ranks').toEqual([])

    // Rankings: page → worker → page, and no request to the API or for the SDK's code. (The
    // page's own product images may still be loading.)
    const quiet = net.requests.length
    for (let i = 0; i < 5; i++) await sdk(page, 'return client.rank(arg)', candidates)
    const sdkRequests = (await net.settled()).slice(quiet).filter((r) => /^\/(v1|sdk)\//.test(new URL(r.url).pathname))
    expect(sdkRequests.map((r) => `${r.method} ${r.url}`)).toEqual([])

    // A new event changes the context the next ranking is made in.
    const other = inCategory('groceries').slice(0, 3)
    const scoresOf = (r: { item: { item_id: string }; score: number | null }[]) => new Map(r.map((x) => [x.item.item_id, x.score]))
    const s0 = scoresOf(ranked)
    await browse(page, other)
    const s1 = scoresOf(await sdk(page, 'return client.rank(arg)', candidates))
    expect(products.some((p) => Math.abs(s1.get(p.sku)! - s0.get(p.sku)!) > 1e-6), 'the ranking saw the new events').toBe(true)

    // The backend: chosen on the first page, initialised here without the probe.
    const st = await sdk<{ backend: string }>(page, 'return client.status()')
    expect(st.backend).toBe('wasm')
    expect(logs.some((l) => /training backend: wasm \(chosen on an earlier page\)/.test(l)), logs.join('\n')).toBe(true)
    await context.close()
  })

  it("an erase in one tab reaches another tab's worker", async () => {
    const { context } = await shopContext()
    const a = await context.newPage()
    await a.goto(edge.url)
    await forYouWidget(a)
    await browse(a, inCategory('groceries').slice(0, 5))
    expect((await sdk<{ reason: { kind: string } }[]>(a, 'return client.recommend({ limit: 1 })'))[0]!.reason.kind).toBe('history')
    const b = await context.newPage()
    await b.goto(edge.url)
    await forYouWidget(b)
    expect((await sdk<{ reason: { kind: string } }[]>(b, 'return client.recommend({ limit: 1 })'))[0]!.reason.kind).toBe('history')
    await sdk(a, 'await client.consent.deny()')
    // Tab b recorded nothing itself: its worker learns of the erase over the store's change channel.
    await expect.poll(async () => (await sdk<{ reason: { kind: string } }[]>(b, 'return client.recommend({ limit: 1 })'))[0]!.reason.kind, { timeout: 10_000 }).toBe('popular')
    await context.close()
  })
})
