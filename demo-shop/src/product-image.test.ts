import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toProduct, type Product } from './catalog-data.js'
import { categoryShape, productColour, productSvg } from './product-image.js'

const products: Product[] = (JSON.parse(readFileSync(join(import.meta.dirname, '../data/products.json'), 'utf8')) as Record<string, unknown>[]).map(toProduct)

describe('productSvg', () => {
  it('has a drawn pictogram for every category of the catalogue (no emoji font needed)', () => {
    for (const c of new Set(products.map((p) => p.category))) expect(categoryShape(c), c).not.toBe('tag')
    expect(categoryShape('garden-tools')).toBe('tag')
  })

  it("takes the colour from a colour word in the title, else from the SKU, so products differ", () => {
    expect(productColour({ title: 'Red Nail Polish', sku: 'A' })[0]).toBe(0)
    expect(productColour({ title: 'Blue Frock', sku: 'B' })[0]).toBe(215)
    const hues = new Set(products.map((p) => productColour(p)[0]))
    expect(hues.size).toBeGreaterThan(100)
  })

  it('is well-formed SVG with the title escaped', () => {
    const svg = productSvg({ ...products[0]!, title: 'Tom & Jerry <b>"Mug"</b>' })
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg).toContain('Tom &#38; Jerry')
    expect(svg).not.toContain('<b>')
    expect(svg.trim().endsWith('</svg>')).toBe(true)
  })
})
