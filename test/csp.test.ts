/**
 * The SDK under the strict CSP of docs/CSP.md (no 'unsafe-eval', no 'unsafe-inline'): the demo
 * store is served with the policy as a response header (pages and worker script alike), and the
 * SDK must still rank and train, on the default backend order and on WASM, with no violation.
 * Without 'wasm-unsafe-eval' the WASM backend fails and the SDK falls back to the CPU.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './support/edge.js'
import { useShop } from './support/shop-fixture.js'

const shop = useShop()

/** The policy of docs/CSP.md, with the hash of the served inline stub. */
function policy(opts: { wasm: boolean }): string {
  const html = readFileSync(join(REPO_ROOT, 'dist/public/index.html'), 'utf8')
  const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!
  const hash = createHash('sha256').update(inline, 'utf8').digest('base64')
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'${opts.wasm ? " 'wasm-unsafe-eval'" : ''}`,
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ')
}

interface Outcome {
  readonly widget: number
  readonly status: { backend: string | null; modelVersion: number | null }
  readonly ranked: { score: number | null }[]
  readonly participation: { status: string; reason?: string; backend?: string }
  readonly violations: string[]
  readonly log: string[]
}

/** Opens the store under `csp`, records a history, ranks and takes part in a round. */
async function runUnder(csp: string, backends?: readonly string[]): Promise<Outcome> {
  const context: BrowserContext = await shop.browser.newContext()
  await context.route(`${shop.edge.url}**`, async (route) => {
    const res = await route.fetch()
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': csp } })
  })
  await context.addInitScript((cfg) => {
    const w = window as unknown as { fedrec?: unknown; __csp: string[] }
    w.__csp = []
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`))
    if (cfg) {
      const stub = function (...args: unknown[]) {
        ;((stub as unknown as { q: unknown[] }).q ??= []).push(args)
      }
      w.fedrec = stub
      stub('init', cfg)
    }
  }, backends ? { backends, privacy: { budget: { epsilon: 1000, delta: 1e-6 } } } : null)
  const page = await context.newPage()
  const log: string[] = []
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`))
  await page.goto(shop.edge.url)
  await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 180_000 })
  const result = await page.evaluate(async () => {
    const g = window as unknown as {
      __csp: string[]
      fedrec: ((...a: unknown[]) => void) & {
        ready: Promise<{
          consent: { grant(): Promise<void> }
          flush(): Promise<void>
          rank(c: { item_id: string }[]): Promise<{ score: number | null }[]>
          participate(): Promise<{ status: string; reason?: string; backend?: string }>
          status(): Promise<{ backend: string | null; modelVersion: number | null }>
        }>
      }
    }
    const products = (await (await fetch('/shop/products.json')).json()) as { sku: string; category: string }[]
    const mine = products.filter((p) => p.category === 'groceries').slice(0, 8)
    const client = await g.fedrec.ready
    for (let r = 0; r < 3; r++) for (const p of mine) g.fedrec('event', 'view_item', { items: [{ item_id: p.sku }] })
    await client.flush()
    await client.consent.grant()
    const participation = await client.participate()
    const ranked = await client.rank(products.slice(0, 20).map((p) => ({ item_id: p.sku })))
    return { participation, ranked, status: await client.status(), violations: g.__csp }
  })
  const widget = await page.locator('#for-you .fedrec-widget__item').count()
  // A request still in flight (the SDK's background sync) would fail its route.fulfill once the
  // context closes, as an unhandled rejection that fails the whole run: drop the route first.
  await context.unrouteAll({ behavior: 'ignoreErrors' })
  await context.close()
  return { ...result, widget, log }
}

describe('strict CSP (docs/CSP.md)', () => {
  it('ranks and trains on the default backends with no violation', async () => {
    const o = await runUnder(policy({ wasm: true }))
    expect(o.violations, o.log.join('\n')).toEqual([])
    expect(o.log.filter((l) => /Content Security Policy|pageerror/.test(l))).toEqual([])
    expect(o.widget).toBeGreaterThan(0)
    expect(o.status.modelVersion).toBe(0)
    expect(o.ranked.every((r) => typeof r.score === 'number')).toBe(true)
    expect(o.participation).toMatchObject({ status: 'sent' })
  })

  it('ranks and trains on the WASM backend with wasm-unsafe-eval (and no unsafe-eval)', async () => {
    const o = await runUnder(policy({ wasm: true }), ['wasm'])
    expect(o.violations, o.log.join('\n')).toEqual([])
    expect(o.status.backend).toBe('wasm')
    expect(o.ranked.every((r) => typeof r.score === 'number')).toBe(true)
    expect(o.participation).toMatchObject({ status: 'sent', backend: 'wasm' })
  })

  it('without wasm-unsafe-eval, the WASM backend is refused and the SDK trains on the CPU instead', async () => {
    const o = await runUnder(policy({ wasm: false }), ['wasm', 'cpu'])
    expect(o.status.backend).toBe('cpu')
    expect(o.log.some((l) => l.includes('[fedrec] no accelerated backend (wasm:')), o.log.join('\n')).toBe(true)
    expect(o.participation).toMatchObject({ status: 'sent', backend: 'cpu' })
    expect(o.widget).toBeGreaterThan(0)
  })
})
