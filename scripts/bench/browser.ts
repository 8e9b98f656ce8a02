/**
 * Bench section, in chromium against `wrangler dev` serving the demo store:
 * - per tfjs backend (forced with the SDK's `init` option `backends: [b]`): ms of one local
 *   training pass over a 200-event history, as the worker itself reports it for a participation,
 *   and p50/p95 ms of `rank()` over 200 candidates (page → worker → page);
 * - with the default backend order, a scripted browsing session: long tasks (> 50 ms) on the main
 *   thread attributed to the SDK (Long Animation Frames script attribution), and the time from
 *   DOMContentLoaded to a rendered personalised widget with a cached model.
 */
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../../test/support/browser.js'
import { startEdge, type EdgeServer } from '../../test/support/edge.js'
import type { BenchContext, Section } from './context.js'
import { demoCatalogue } from './demo-assets.js'
import { UNLIMITED_RATES } from './edge-load.js'
import { syntheticHistory, type HistoryEvent } from './history.js'
import { attributedToSdk, LONG_TASK_MS } from './long-task-attribution.js'
import { summarize } from './stats.js'
import { verdict } from './table.js'

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const
const WIDGET_TIMEOUT_MS = 240_000

interface Client {
  track(name: string, params: unknown): void
  flush(): Promise<void>
  rank(c: readonly { item_id: string }[]): Promise<unknown[]>
  participate(): Promise<{ status: string; reason?: string; detail?: string; trainMs?: number; backend?: string }>
  status(): Promise<{ backend: string | null; backendAttempts: { backend: string; ok: boolean; error?: string }[]; modelVersion: number | null; events: number }>
  consent: { grant(): Promise<void> }
}
type BenchWindow = Window & { fedrec: ((...a: unknown[]) => void) & { q?: unknown[]; ready: Promise<Client> } }

/** A context whose pages queue `init` with `cfg` before the SDK loads, as a shop's snippet would. */
async function shopPage(browser: Browser, cfg: Record<string, unknown> | null): Promise<Page> {
  const context = await browser.newContext()
  if (cfg) {
    await context.addInitScript((c) => {
      const w = window as unknown as BenchWindow
      w.fedrec = function (...args: unknown[]) {
        ;(w.fedrec.q = w.fedrec.q ?? []).push(args)
      } as BenchWindow['fedrec']
      w.fedrec('init', c)
    }, cfg)
  }
  return context.newPage()
}

async function recordHistory(page: Page, history: readonly HistoryEvent[]): Promise<void> {
  await page.evaluate(async (events) => {
    const c = await (window as unknown as BenchWindow).fedrec.ready
    for (const e of events) c.track(e.name, { items: [{ item_id: e.itemId }] })
    await c.flush()
  }, history)
}

/** Training and ranking on one forced backend. */
async function backendRun(ctx: BenchContext, browser: Browser, edge: EdgeServer, backend: string, history: readonly HistoryEvent[], candidates: readonly { item_id: string }[]): Promise<void> {
  const page = await shopPage(browser, { backends: [backend], autoParticipate: false })
  const sec = 'on-device training (200 events)'
  try {
    await page.goto(edge.url)
    await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: WIDGET_TIMEOUT_MS })
    const st = await page.evaluate(async () => (await (window as unknown as BenchWindow).fedrec.ready).status())
    if (st.backend !== backend) {
      const why = st.backendAttempts.find((a) => a.backend === backend)?.error ?? `the SDK chose ${st.backend}`
      ctx.rows.push({ section: sec, metric: `chromium ${backend}`, value: '—', note: `did not initialise: ${why}`.slice(0, 120) })
      ctx.record(`train_unavailable.${backend}`, why)
      return
    }
    await recordHistory(page, history)
    await page.evaluate(async () => (await (window as unknown as BenchWindow).fedrec.ready).consent.grant())
    const passes = ctx.quick ? 1 : 3
    const trainMs: number[] = []
    for (let i = 0; i < passes; i++) {
      const r = await page.evaluate(async () => (await (window as unknown as BenchWindow).fedrec.ready).participate())
      if (r.status !== 'sent' || r.backend !== backend || r.trainMs === undefined) throw new Error(`participation on ${backend}: ${JSON.stringify(r)}`)
      trainMs.push(r.trainMs)
      ctx.log(`browser: ${backend} training pass ${i + 1}/${passes}: ${r.trainMs.toFixed(0)} ms`)
    }
    const rankRuns = ctx.quick ? 15 : 50
    const rankMs = await page.evaluate(
      async ([cands, n]) => {
        const c = await (window as unknown as BenchWindow).fedrec.ready
        // Two untimed calls: the first after a participation fine-tunes on the new global model.
        await c.rank(cands)
        await c.rank(cands)
        const out: number[] = []
        for (let i = 0; i < n; i++) {
          const t0 = performance.now()
          await c.rank(cands)
          out.push(performance.now() - t0)
        }
        return out
      },
      [candidates, rankRuns] as const,
    )
    const t = summarize(trainMs)
    const r = summarize(rankMs)
    ctx.record(`train_ms.${backend}`, t.median)
    ctx.record(`rank_ms_by_backend.${backend}.p50`, r.median)
    ctx.record(`rank_ms_by_backend.${backend}.p95`, r.p95)
    ctx.rows.push({ section: sec, metric: `chromium ${backend}`, value: t.median, unit: 'ms', note: `median of ${t.n}; rank of ${candidates.length}: p50 ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${r.n} calls)` })
  } finally {
    await page.context().close()
  }
}

/**
 * Installed before any page script: long tasks, long animation frames (with the script that ran
 * in each), and when the widget's first item appears. A string, not a function: tsx wraps named
 * functions in a helper that does not exist in the page.
 */
const OBSERVE = `(() => {
  const b = (window.__bench = { longTasks: [], frames: [], widgetAt: null })
  try {
    new PerformanceObserver((l) => l.getEntries().forEach((e) => b.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true })
  } catch {}
  try {
    new PerformanceObserver((l) => l.getEntries().forEach((e) => {
      let sdkMs = 0, otherMs = 0
      const sources = []
      for (const s of e.scripts || []) {
        if (s.sourceURL.includes('/sdk/')) sdkMs += s.duration
        else otherMs += s.duration
        sources.push(s.sourceURL.split('/').pop() + ':' + Math.round(s.duration))
      }
      b.frames.push({ duration: e.duration, sdkMs, otherMs, sources })
    })).observe({ type: 'long-animation-frame', buffered: true })
  } catch {}
  const mo = new MutationObserver(() => {
    if (b.widgetAt === null && document.querySelector('#for-you .fedrec-widget__item')) {
      b.widgetAt = performance.now()
      mo.disconnect()
    }
  })
  mo.observe(document, { childList: true, subtree: true })
})()`

interface PageObservation {
  longTasks: number[]
  frames: { duration: number; sdkMs: number; otherMs: number; sources: string[] }[]
  widgetAt: number | null
  dcl: number
}

async function collect(page: Page): Promise<PageObservation> {
  await page.waitForTimeout(300)
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: Omit<PageObservation, 'dcl'> }).__bench
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined
    return { ...b, dcl: nav?.domContentLoadedEventStart ?? Number.NaN }
  })
}

/** A shopper's visit with the default backend order: home, a category, products, cart, search. */
async function browsingSession(ctx: BenchContext, browser: Browser, edge: EdgeServer): Promise<void> {
  const page = await shopPage(browser, null)
  await page.context().addInitScript(OBSERVE)
  const seen: PageObservation[] = []
  const products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as { id: number; category: string }[]
  const cat = products[0]!.category
  const visit = async (path: string, widget: string, act?: () => Promise<void>) => {
    await page.goto(`${edge.url}${path}`)
    await page.locator(`${widget} .fedrec-widget__item`).first().waitFor({ timeout: WIDGET_TIMEOUT_MS })
    if (act) await act()
    seen.push(await collect(page))
  }
  try {
    await visit('', '#for-you')
    await page.goto(`${edge.url}?category=${cat}`)
    seen.push(await collect(page))
    for (const p of products.filter((x) => x.category === cat).slice(0, 5)) {
      await visit(`product.html?id=${p.id}`, '#related', async () => {
        if (p.id % 2 === 0) await page.locator('#add-to-cart').click()
      })
    }
    await page.goto(`${edge.url}cart.html`)
    seen.push(await collect(page))
    await page.goto(`${edge.url}#q=phone`)
    seen.push(await collect(page))
    await visit('', '#for-you')
    const frames = seen.flatMap((o) => o.frames)
    const sdkTasks = frames.filter(attributedToSdk)
    const withSdk = frames.filter((f) => f.duration > LONG_TASK_MS && f.sdkMs > 0)
    const allTasks = seen.reduce((n, o) => n + o.longTasks.length, 0)
    const worstSdk = Math.max(0, ...frames.map((f) => f.sdkMs))
    ctx.record('main_thread.long_tasks', sdkTasks.length)
    ctx.record('main_thread.long_tasks_all', allTasks)
    ctx.record('main_thread.sdk_script_ms_max', worstSdk)
    ctx.record('main_thread.long_frames_with_sdk_script', withSdk.length)
    ctx.record('main_thread.pages', seen.length)
    const sec = 'main thread (default backends)'
    ctx.rows.push({ section: sec, metric: 'long tasks attributed to the SDK', value: sdkTasks.length, target: '0', verdict: verdict(sdkTasks.length, 0), note: `${seen.length} pages; ${allTasks} long tasks in all; longest SDK script ${worstSdk.toFixed(0)} ms${withSdk.length ? `; SDK script in ${withSdk.length} long frame(s): ${withSdk.map((f) => `${f.sdkMs.toFixed(0)} of ${f.duration.toFixed(0)} ms`).join(', ')}` : ''}`.slice(0, 150) })

    // DOMContentLoaded → personalised widget, the model and the personal fine-tune cached.
    const st = await page.evaluate(async () => (await (window as unknown as BenchWindow).fedrec.ready).status())
    if (st.events === 0 || st.modelVersion === null) throw new Error(`after browsing, the SDK has ${st.events} events and model ${st.modelVersion}`)
    const loads = ctx.quick ? 3 : 7
    const ms: number[] = []
    for (let i = 0; i < loads; i++) {
      await page.reload()
      await page.locator('#for-you .fedrec-widget__item').first().waitFor({ timeout: WIDGET_TIMEOUT_MS })
      const o = await collect(page)
      if (o.widgetAt !== null) ms.push(o.widgetAt - o.dcl)
    }
    const s = summarize(ms)
    ctx.record('main_thread.dcl_to_widget_ms', s.median)
    ctx.record('main_thread.dcl_to_widget_ms_p95', s.p95)
    ctx.record('main_thread.backend', st.backend ?? 'none')
    ctx.rows.push({ section: sec, metric: 'DOMContentLoaded → personalised widget', value: s.median, unit: 'ms', note: `median of ${s.n} reloads; model and fine-tune cached; a worker per page, no tfjs to rank (training backend ${st.backend})` })
  } finally {
    await page.context().close()
  }
}

export const browserSection: Section = {
  name: 'browser',
  heavy: true,
  async run(ctx) {
    const edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1', FEDREC_SAMPLE_RATE: '1', FEDREC_ROUND_SECONDS: '3600', FEDREC_CLIP_NORM: '1', FEDREC_NOISE_MULTIPLIER: '0.1', ...UNLIMITED_RATES } })
    const browser = await launchChromium()
    try {
      const catalogue = demoCatalogue()
      const history = syntheticHistory(catalogue)
      // 200 candidates: the whole demo catalogue, padded with ids the model does not know.
      const candidates = [...catalogue.map((c) => ({ item_id: c.sku })), ...Array.from({ length: Math.max(0, 200 - catalogue.length) }, (_, i) => ({ item_id: `unknown-${i}` }))].slice(0, 200)
      for (const b of BACKENDS) {
        try {
          await backendRun(ctx, browser, edge, b, history, candidates)
        } catch (e) {
          ctx.log(`browser: ${b} failed: ${e instanceof Error ? e.message : e}`)
          ctx.rows.push({ section: 'on-device training (200 events)', metric: `chromium ${b}`, value: '—', note: `failed: ${e instanceof Error ? e.message : e}`.slice(0, 120) })
        }
      }
      await browsingSession(ctx, browser, edge)
    } finally {
      await browser.close()
      await edge.stop()
    }
    // Ratios against the Node baseline measured in the same run, and the default backend's ranking.
    const train = ctx.json['train_ms'] as Record<string, number> | undefined
    if (train?.['node']) {
      for (const b of BACKENDS) if (train[b] !== undefined) ctx.record(`train_ratio_vs_node.${b}`, train[b]! / train['node'])
      ctx.rows.push({ section: 'on-device training (200 events)', metric: 'ratio to Node tfjs cpu', value: BACKENDS.filter((b) => train[b] !== undefined).map((b) => `${b} ${(train[b]! / train['node']!).toFixed(2)}`).join(', '), unit: '×' })
    }
    const byBackend = ctx.json['rank_ms_by_backend'] as Record<string, { p50: number; p95: number }> | undefined
    const used = ctx.json['main_thread'] && (ctx.json['main_thread'] as Record<string, unknown>)['backend']
    const rank = byBackend?.[String(used)] ?? Object.values(byBackend ?? {})[0]
    if (rank) {
      ctx.record('rank_ms.p50', rank.p50)
      ctx.record('rank_ms.p95', rank.p95)
      ctx.rows.push({ section: 'scoring (200 candidates)', metric: `rank p50 | p95 (${String(used)})`, value: `${rank.p50.toFixed(1)} | ${rank.p95.toFixed(1)}`, unit: 'ms', target: 'p95 ≤ 5', verdict: verdict(rank.p95, 5), note: 'page → worker → page; model, history and personal model cached in the worker, scored without tfjs' })
    }
  },
}
