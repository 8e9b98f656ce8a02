/** A `wrangler dev` edge plus one chromium for a browser test file, started and stopped with the file. */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './browser.js'
import { startEdge, type EdgeServer } from './edge.js'

export interface ShopFixture {
  readonly edge: EdgeServer
  readonly browser: Browser
}

/**
 * Registers beforeAll/afterAll hooks; read the fields inside tests.
 * @example const shop = useShop({ FEDREC_MIN_CLIENTS: '5' }); it('…', () => shop.browser.newContext())
 */
export function useShop(vars: Readonly<Record<string, string>> = { FEDREC_MIN_CLIENTS: '5', FEDREC_EXPECTED_CLIENTS: '5' }): ShopFixture {
  const fixture = {} as { edge: EdgeServer; browser: Browser }
  beforeAll(async () => {
    fixture.edge = await startEdge({ vars })
    fixture.browser = await launchChromium()
  })
  afterAll(async () => {
    await fixture.browser?.close()
    await fixture.edge?.stop()
  })
  return fixture
}
