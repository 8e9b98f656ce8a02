/** Drives one simulated shopper's browser through the demo store, the way a person would. */
import type { BrowserContext, Page } from 'playwright-core'
import type { ParticipationResult } from '../../sdk/src/entrypoints/sdk.js'
import type { Persona, SessionPlan } from './personas.js'

/** A shopper: a persona and its own browser context (its own device: IndexedDB, localStorage). */
export interface SimShopper {
  readonly persona: Persona
  readonly context: BrowserContext
  page: Page
}

/** How long to wait for a page element before giving up on a step. */
const STEP_TIMEOUT_MS = 60_000

/** Opens the store for the first time and grants consent in the banner. */
export async function arrive(s: SimShopper, baseUrl: string): Promise<void> {
  await s.page.goto(baseUrl)
  await s.page.locator('#consent-grant').click({ timeout: STEP_TIMEOUT_MS })
}

/**
 * Browses one planned session: an optional search, each product reached through its category
 * page (a click, as a shopper does) and added to the cart if planned, then checkout if planned.
 */
export async function browse(s: SimShopper, baseUrl: string, plan: SessionPlan): Promise<void> {
  const { page } = s
  if (plan.search) {
    await page.goto(baseUrl)
    // A search typed before the store's script has wired the form goes nowhere (method="dialog").
    await page.locator('form[role="search"][data-wired="true"]').waitFor({ timeout: STEP_TIMEOUT_MS })
    await page.locator('input[name="q"]').fill(plan.search)
    await page.locator('input[name="q"]').press('Enter')
    // Wait for the results themselves: the home page's grid is there before the search reloads it.
    await page.getByRole('heading', { name: `Results for “${plan.search}”` }).waitFor({ timeout: STEP_TIMEOUT_MS })
  }
  for (const p of plan.views) {
    await page.goto(`${baseUrl}?category=${encodeURIComponent(p.category)}`)
    await page.locator(`#products a[data-sku="${p.sku}"]`).click({ timeout: STEP_TIMEOUT_MS })
    await page.locator('#add-to-cart').waitFor({ timeout: STEP_TIMEOUT_MS })
    if (plan.addToCart.includes(p)) {
      await page.locator('#add-to-cart').click()
      await page.locator('#go-to-cart').waitFor({ timeout: STEP_TIMEOUT_MS })
    }
  }
  if (plan.purchase && plan.addToCart.length > 0) {
    await page.goto(`${baseUrl}cart.html`)
    await page.locator('#checkout').click({ timeout: STEP_TIMEOUT_MS })
    await page.locator('#order-confirmed').waitFor({ timeout: STEP_TIMEOUT_MS })
  }
}

/** Asks the SDK on the shopper's page to take part in the open round now. */
export async function participate(s: SimShopper): Promise<ParticipationResult> {
  // Until the async tag has loaded, `window.fedrec` is the queue stub.
  await s.page.waitForFunction(() => (window as unknown as { fedrec?: { ready?: unknown } }).fedrec?.ready !== undefined, undefined, { timeout: STEP_TIMEOUT_MS })
  return s.page.evaluate(async () => {
    const g = window as unknown as { fedrec: { ready: Promise<{ participate(): Promise<ParticipationResult> }> } }
    return (await g.fedrec.ready).participate()
  })
}
