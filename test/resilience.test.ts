/**
 * The shop's page keeps working when the SDK's world is broken: no IndexedDB, no Worker, no
 * WebGPU/WebGL/WASM, offline with a cached model, the API blocked on a first visit, a damaged
 * cached model, a tab closed mid-training. Each case renders the "Recommended for you" widget and
 * logs exactly one `[fedrec]` warning that names the problem. And an upload that fails is
 * retried from the persisted queue with the same bytes until the edge accepts it.
 */
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/browser.js'
import { useShop } from './support/shop-fixture.js'

const shop = useShop()

interface Opened {
  readonly page: Page
  /** `[fedrec]` warnings from the page and its workers. */
  readonly warnings: string[]
  readonly log: string[]
}

/** Opens the home page in `context` and waits for the widget; collects console output. */
async function openHome(context: BrowserContext): Promise<Opened> {
  const page = await context.newPage()
  const warnings: string[] = []
  const log: string[] = []
  const take = (type: string, text: string) => {
    log.push(`${type}: ${text}`)
    if (type === 'warning' && text.startsWith('[fedrec]')) warnings.push(text)
  }
  page.on('console', (m) => take(m.type(), m.text()))
  // The page's console events include those of its dedicated workers.
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`))
  await page.goto(shop.edge.url)
  await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 180_000 })
  // Let the worker finish what it started (its warnings come before the widget, but be sure).
  await page.waitForTimeout(500)
  return { page, warnings, log }
}

/** Asserts one clear warning and a rendered page with no uncaught error. */
function expectOneWarning(o: Opened, pattern: RegExp): void {
  expect(o.warnings, o.log.join('\n')).toHaveLength(1)
  expect(o.warnings[0]).toMatch(pattern)
  expect(o.log.filter((l) => l.startsWith('pageerror'))).toEqual([])
}

async function widgetCount(page: Page): Promise<number> {
  return page.locator('#for-you .fedrec-widget__item').count()
}

/** Reads a kv record of the SDK's IndexedDB from the page. */
function readKv(page: Page, key: string): Promise<unknown> {
  return page.evaluate(
    (k) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('fedrec')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const get = open.result.transaction('kv').objectStore('kv').get(k)
          get.onsuccess = () => {
            resolve(get.result ?? null)
            open.result.close()
          }
        }
      }),
    key,
  )
}

/** Records a short history in one category, grants consent and takes part in the round. */
function participateAfterBrowsing(page: Page, category: string): Promise<{ status: string; reason?: string; detail?: string }> {
  return page.evaluate(async (cat) => {
    const g = window as unknown as { fedrec: ((...a: unknown[]) => void) & { ready: Promise<{ consent: { grant(): Promise<void> }; flush(): Promise<void>; participate(): Promise<{ status: string; reason?: string; detail?: string }> }> } }
    const ids = ((await (await fetch('/shop/products.json')).json()) as { sku: string; category: string }[]).filter((p) => p.category === cat).map((p) => p.sku)
    const client = await g.fedrec.ready
    for (let r = 0; r < 3; r++) for (const id of ids.slice(0, 8)) g.fedrec('event', 'view_item', { items: [{ item_id: id }] })
    await client.flush()
    await client.consent.grant()
    return client.participate()
  }, category)
}

describe('the page keeps working', () => {
  it('with no IndexedDB (page and worker)', async () => {
    const context = await shop.browser.newContext()
    await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }))
    await context.route('**/sdk/fedrec-worker.js', async (route) => {
      const res = await route.fetch()
      await route.fulfill({ response: res, body: `Object.defineProperty(self, 'indexedDB', { value: undefined });\n${await res.text()}` })
    })
    const o = await openHome(context)
    expectOneWarning(o, /IndexedDB is unavailable/)
    expect(await widgetCount(o.page)).toBeGreaterThan(0)
    await context.close()
  })

  it('with no Worker', async () => {
    const context = await shop.browser.newContext()
    await context.addInitScript(() => Object.defineProperty(window, 'Worker', { value: undefined }))
    const o = await openHome(context)
    expectOneWarning(o, /on-device model unavailable/)
    expect(await widgetCount(o.page)).toBeGreaterThan(0)
    await context.close()
  })

  it('with no WebGPU, WebGL or WASM (cpu only)', async () => {
    const bare = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'), '--disable-webgl', '--disable-3d-apis', '--js-flags=--noexpose_wasm'],
    })
    try {
      const context = await bare.newContext()
      // Inside the worker too: no WebGPU adapter, no OffscreenCanvas for WebGL, no WebAssembly.
      await context.route('**/sdk/fedrec-worker.js', async (route) => {
        const res = await route.fetch()
        const strip = `Object.defineProperty(Object.getPrototypeOf(navigator), 'gpu', { get: () => undefined }); for (const k of ['OffscreenCanvas', 'WebAssembly']) Object.defineProperty(self, k, { value: undefined });`
        await route.fulfill({ response: res, body: `${strip}\n${await res.text()}` })
      })
      const o = await openHome(context)
      // A new shopper's home page needs no model scoring, so tfjs loads only when asked for the
      // training backend (status) or when the device trains.
      await o.page.evaluate(async () => (await (window as unknown as { fedrec: { ready: Promise<{ status(): Promise<unknown> }> } }).fedrec.ready).status())
      expectOneWarning(o, /no accelerated backend \(webgpu: .*webgl: .*wasm: .*\); training on cpu/)
      expect(await widgetCount(o.page)).toBeGreaterThan(0)
    } finally {
      await bare.close()
    }
  })

  it('offline, with the model cached by an earlier visit', async () => {
    const context = await shop.browser.newContext()
    const first = await openHome(context)
    expect(first.warnings, 'an ordinary visit warns about nothing').toEqual([])
    await first.page.close()
    await context.route('**/v1/**', (route) => route.abort('internetdisconnected'))
    const o = await openHome(context)
    expectOneWarning(o, /API is unreachable .*using the cached model v0/)
    await context.close()
  })

  it('with the API blocked on a first visit (no model)', async () => {
    const context = await shop.browser.newContext()
    await context.route('**/v1/**', (route) => route.abort('blockedbyclient'))
    const o = await openHome(context)
    expectOneWarning(o, /API is unreachable .*no model is cached; recommendations keep the page order/)
    expect(await widgetCount(o.page)).toBeGreaterThan(0)
    await context.close()
  })

  it('with a damaged cached model: the checksum catches it and the model is fetched again', async () => {
    const context = await shop.browser.newContext()
    const first = await openHome(context)
    expect(first.warnings).toEqual([])
    // Flip one byte in the float data of the cached bundle: it still decodes, only the checksum can tell.
    await first.page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('fedrec')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const tx = open.result.transaction('kv', 'readwrite')
            const store = tx.objectStore('kv')
            const get = store.get('global-model')
            get.onsuccess = () => {
              const cached = get.result as { bytes: Uint8Array }
              cached.bytes[cached.bytes.length - 3] ^= 0x10
              store.put(cached, 'global-model')
            }
            tx.oncomplete = () => {
              open.result.close()
              resolve()
            }
          }
        }),
    )
    await first.page.close()
    const o = await openHome(context)
    expectOneWarning(o, /cached model is damaged \(checksum mismatch\); discarded, fetching it again/)
    await o.page.close()
    const again = await openHome(context)
    expect(again.warnings, 'the refetched model is cached with a good checksum').toEqual([])
    await context.close()
  })

  it('after a tab was closed mid-training', async () => {
    const context = await shop.browser.newContext()
    const first = await openHome(context)
    void participateAfterBrowsing(first.page, 'groceries').catch(() => undefined)
    const until = Date.now() + 120_000
    while (!(await readKv(first.page, 'training-mark')) && Date.now() < until) await first.page.waitForTimeout(100)
    const interrupted = (await readKv(first.page, 'training-mark')) as { startedAt: number } | null
    expect(interrupted, 'training started').toBeTruthy()
    await first.page.close()
    const o = await openHome(context)
    expectOneWarning(o, /training for round \d+ was interrupted/)
    // The interrupted mark is cleared; the reopened page may already have started a training of its own.
    const now = (await readKv(o.page, 'training-mark')) as { startedAt: number } | null
    expect(now === null || now.startedAt !== interrupted!.startedAt, 'the interrupted training mark is cleared').toBe(true)
    await context.close()
  })
})

describe('upload retries', () => {
  it('retries a failed upload from the persisted queue with the same bytes until the edge accepts it', async () => {
    const context = await shop.browser.newContext()
    let failures = 2
    const attempts: Buffer[] = []
    await context.route('**/v1/updates', async (route: { request(): Request; abort(e: string): Promise<void>; continue(): Promise<void> }) => {
      attempts.push(route.request().postDataBuffer() ?? Buffer.alloc(0))
      if (failures-- > 0) await route.abort('connectionreset')
      else await route.continue()
    })
    const accepted = new Promise<number>((resolve) => context.on('response', (r) => (r.url().endsWith('/v1/updates') && r.status() === 202 ? resolve(r.status()) : undefined)))
    const o = await openHome(context)
    const result = await participateAfterBrowsing(o.page, 'smartphones')
    expect(result).toMatchObject({ status: 'skipped', reason: 'offline', detail: expect.stringMatching(/^queued; retry in/) })
    expect(await Promise.race([accepted, new Promise((r) => setTimeout(() => r('timeout'), 90_000))])).toBe(202)
    expect(attempts.length).toBe(3)
    expect(attempts.every((b) => b.equals(attempts[0]!)), 'the same payload every time, never retrained or re-addressed').toBe(true)
    await context.close()
  })

  it('discards an update whose round has closed instead of sending it again or to the next round', async () => {
    const context = await shop.browser.newContext()
    let posts = 0
    await context.route('**/v1/updates', async (route) => {
      posts++
      await route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { reason: 'round_closed', message: 'round 1 is not open (open round: 2)' } }) })
    })
    const o = await openHome(context)
    const result = await participateAfterBrowsing(o.page, 'sports-accessories')
    expect(result).toMatchObject({ status: 'skipped', reason: 'rejected', detail: expect.stringContaining('round_closed') })
    await o.page.waitForTimeout(3000)
    expect(posts, 'no retry of a refused update').toBe(1)
    expect(await readKv(o.page, 'upload-queue')).toEqual([])
    await context.close()
  })
})
