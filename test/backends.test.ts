/**
 * The worker trains, sends and ranks on every tfjs backend that initialises here, and falls back
 * down webgpu → webgl → wasm → cpu when one is missing, saying which one it used and why.
 */
import type { Browser, ConsoleMessage, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './support/browser.js'
import { startEdge, type EdgeServer } from './support/edge.js'

let edge: EdgeServer
let browser: Browser

interface Status {
  backend: string | null
  backendAttempts: { backend: string; ok: boolean; error?: string }[]
  modelVersion: number | null
}

/** A page whose SDK is configured, before it loads, through the documented `init` command. */
async function shopPage(b: Browser, init: Record<string, unknown>): Promise<Page> {
  const context = await b.newContext()
  await context.addInitScript((cfg) => {
    const w = window as unknown as { fedrec: ((...a: unknown[]) => void) & { q?: unknown[] } }
    w.fedrec = function (...args: unknown[]) {
      ;(w.fedrec.q = w.fedrec.q ?? []).push(args)
    } as typeof w.fedrec
    w.fedrec('init', cfg)
  }, init)
  // Warnings and errors of the page and its worker go to the test output, to explain a failure.
  const echo = (where: string) => (m: ConsoleMessage) => {
    if (m.type() === 'warning' || m.type() === 'error') console.warn(`[${where}] ${m.text()}`)
  }
  context.on('page', (p) => {
    p.on('console', echo('page'))
    p.on('worker', (w) => w.on('console', echo('worker')))
  })
  return context.newPage()
}

async function call<T>(page: Page, fn: string, arg?: unknown): Promise<T> {
  return page.evaluate(
    async ([name, a]) => {
      const c = (await (window as unknown as { fedrec: { ready: Promise<Record<string, unknown>> } }).fedrec.ready) as Record<string, unknown>
      const path = (name as string).split('.')
      let target: Record<string, unknown> = c
      for (const p of path.slice(0, -1)) target = target[p] as Record<string, unknown>
      return (target[path.at(-1)!] as (x?: unknown) => Promise<unknown>).call(target, a)
    },
    [fn, arg] as const,
  ) as Promise<T>
}

beforeAll(async () => {
  edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1', FEDREC_SAMPLE_RATE: '1' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
})

describe('tfjs backends in the worker', () => {
  for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
    it(`trains, sends an update and ranks on ${backend}`, async () => {
      const page = await shopPage(browser, { backends: [backend], autoParticipate: false })
      for (const id of [1, 2, 3, 4, 5, 6]) {
        await page.goto(`${edge.url}product.html?id=${id}`)
        await page.locator('#related .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
      }
      const st = await call<Status>(page, 'status')
      console.info(`[backends] asked for ${backend}: ${JSON.stringify(st.backendAttempts)}`)
      expect(st.backend).toBe(backend)
      await call(page, 'consent.grant')
      const r = await call<{ status: string; backend?: string; detail?: string }>(page, 'participate')
      expect(r, JSON.stringify(r)).toMatchObject({ status: 'sent', backend })
      const ranked = await call<{ item: { item_id: string }; score: number | null }[]>(page, 'rank', [{ item_id: 'no-such-item' }, { item_id: 'BEA-VEL-POW-003' }])
      expect(ranked.map((x) => x.item.item_id)).toEqual(['BEA-VEL-POW-003', 'no-such-item'])
      expect(Number.isFinite(ranked[0]!.score)).toBe(true)
      await page.context().close()
    })
  }

  it('falls back to the next backend when WebGPU has no adapter, and says why', async () => {
    const noGpu = await launchChromium({ webgpu: false })
    try {
      const page = await shopPage(noGpu, { autoParticipate: false })
      await page.goto(edge.url)
      await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: 120_000 })
      const st = await call<Status>(page, 'status')
      expect(st.backendAttempts[0]).toMatchObject({ backend: 'webgpu', ok: false })
      expect(st.backendAttempts[0]!.error).toMatch(/adapter/i)
      expect(st.backend).toBe('webgl')
    } finally {
      await noGpu.close()
    }
  })
})
