/**
 * Row-subset rounds with a real device: the edge's upload budget (4,000 bytes) is below the demo
 * model's whole int4 update, so every round names the rows of the item table its updates carry.
 * A shopper's browser takes part in two rounds; each upload fits the budget, carries exactly the
 * round's rows, passes the audit against the model and the round, and the rows outside the round
 * are served unchanged after it publishes.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditPayload, decodeModel, decodeUpdate, subsetRows, uploadLayout, type ModelBundle, type RoundConfig } from '../aggregator/src/index.js'
import { allowOnConsentBanner, captureRequests, launchChromium } from './support/browser.js'
import { startEdge, type EdgeServer } from './support/edge.js'
import { getRound } from './support/rounds.js'

const BUDGET = 4000

let edge: EdgeServer
let browser: Browser
let context: BrowserContext
let page: Page
let net: ReturnType<typeof captureRequests>

async function model(): Promise<ModelBundle> {
  return decodeModel(new Uint8Array(await (await fetch(`${edge.url}v1/model`)).arrayBuffer()))
}

beforeAll(async () => {
  edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1', FEDREC_ROUND_SECONDS: '3600', FEDREC_UPLOAD_BUDGET_BYTES: String(BUDGET) } })
  browser = await launchChromium()
  context = await browser.newContext()
  net = captureRequests(context)
  await context.addInitScript(`window.fedrec = function () { (window.fedrec.q = window.fedrec.q || []).push(arguments) };
    window.fedrec('init', { autoParticipate: false })`)
  page = await context.newPage()
})

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
})

describe('row-subset rounds in the browser', () => {
  it('sends only the round’s rows, within the budget, and the rows outside the round stay as they were', async () => {
    const products = (await (await fetch(`${edge.url}shop/products.json`)).json()) as { id: number }[]
    await page.goto(edge.url)
    await allowOnConsentBanner(page)
    for (const p of products.slice(0, 4)) {
      await page.goto(`${edge.url}product.html?id=${p.id}`)
      await page.locator('#add-to-cart').waitFor()
    }
    const rounds: RoundConfig[] = []
    const models: ModelBundle[] = [await model()]
    for (let i = 0; i < 2; i++) {
      rounds.push(await getRound(edge.url))
      const result = await page.evaluate(async () => {
        const g = window as unknown as { fedrec: { ready: Promise<{ participate(): Promise<{ status: string; detail?: string }> }> } }
        return (await g.fedrec.ready).participate()
      })
      expect(result, JSON.stringify(result)).toMatchObject({ status: 'sent' })
      models.push(await model())
    }
    const [r1, r2] = rounds as [RoundConfig, RoundConfig]
    expect(r1.rowSubset, 'the demo model’s whole int4 update is over 4,000 bytes').toMatchObject({ tensor: 'item_emb', windowStart: 0 })
    expect(r2.rowSubset!.windowStart).toBe(r1.rowSubset!.windowRows)

    const uploads = (await net.settled()).filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/updates')
    expect(uploads).toHaveLength(2)
    const layout = models[0]!.description.layout
    uploads.forEach((u, i) => {
      const bytes = new Uint8Array(u.body!)
      expect(bytes.length).toBeLessThanOrEqual(BUDGET)
      expect(decodeUpdate(bytes).shapes).toEqual(uploadLayout(layout, rounds[i]!.rowSubset).map((t) => t.shape))
      const report = auditPayload(bytes, { layout, round: rounds[i]! })
      expect(report.violation, JSON.stringify(report.checks)).toBeNull()
    })

    const width = layout[0]!.shape[1]!
    const rows = layout[0]!.shape[0]!
    rounds.forEach((r, i) => {
      const trained = new Set(subsetRows(rows, r.rowSubset!))
      const before = models[i]!.weights
      const after = models[i + 1]!.weights
      expect(models[i + 1]!.version).toBe(models[i]!.version + 1)
      let untouched = 0
      for (let row = 0; row < rows; row++) {
        if (trained.has(row)) continue
        expect(Array.from(after.subarray(row * width, (row + 1) * width)), `round ${r.roundId}, row ${row}`).toEqual(Array.from(before.subarray(row * width, (row + 1) * width)))
        untouched++
      }
      expect(untouched).toBeGreaterThan(0)
    })
  })
})
