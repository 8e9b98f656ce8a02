/**
 * Saves a page's screenshot as a test artefact and measures it, to check that a page is not
 * blank: the PNG is decoded by the browser itself (an <img> drawn on a canvas), in a page of its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Browser, Page } from 'playwright-core'

/** What a screenshot holds. */
export interface PixelStats {
  readonly width: number
  readonly height: number
  /** Standard deviation of the luminance (0–255) over all pixels: about 0 for a blank page. */
  readonly lumaStd: number
  /** Distinct colours (quantised to 5 bits per channel). */
  readonly colours: number
}

/**
 * Decodes a PNG and measures it.
 * @example const { lumaStd } = await pixelStats(browser, await page.screenshot())
 */
export async function pixelStats(browser: Browser, png: Buffer): Promise<PixelStats> {
  const page = await browser.newPage()
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight)
      const ctx = canvas.getContext('2d')!
      ctx.drawImage(img, 0, 0)
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
      let sum = 0
      let sq = 0
      const colours = new Set<number>()
      const n = data.length / 4
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!
        sum += y
        sq += y * y
        colours.add(((data[i]! >> 3) << 10) | ((data[i + 1]! >> 3) << 5) | (data[i + 2]! >> 3))
      }
      const mean = sum / n
      return { width: canvas.width, height: canvas.height, lumaStd: Math.sqrt(Math.max(0, sq / n - mean * mean)), colours: colours.size }
    }, png.toString('base64'))
  } finally {
    await page.close()
  }
}

/**
 * Takes a full-page screenshot into `path` (an artefact under test-results/) and measures it.
 * @example const stats = await saveScreenshot(browser, page, 'test-results/demo-shop/home.png')
 */
export async function saveScreenshot(browser: Browser, page: Page, path: string): Promise<PixelStats> {
  const png = await page.screenshot({ fullPage: true })
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, png)
  return pixelStats(browser, png)
}
