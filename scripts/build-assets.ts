/**
 * Build step for the demo: the store's pages, its catalogue JSON, one drawn SVG per product, and the initial
 * global model (seeded init over the catalogue's items) that the edge worker publishes as v0.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeModel } from '../aggregator/src/index.js'
import { categoriesOf, toProduct } from '../demo-shop/src/catalog-data.js'
import { pageHtml, PAGES } from '../demo-shop/src/page-shell.js'
import { productSvg } from '../demo-shop/src/product-image.js'
import { catalogueConfig, modelLayout, type SessionModelConfig } from '../sdk/src/model/config.js'
import { initWeights } from '../sdk/src/model/init-weights.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist/public')

/** Seed of the demo's initial weights; the model's shape is what the SDK ships for the catalogue (`catalogueConfig`). */
const INIT_SEED = 2026

const raw = JSON.parse(readFileSync(join(root, 'demo-shop/data/products.json'), 'utf8')) as Record<string, unknown>[]
const products = raw.map(toProduct)
const categories = categoriesOf(products)

mkdirSync(join(out, 'shop'), { recursive: true })
mkdirSync(join(out, 'img'), { recursive: true })
mkdirSync(join(out, 'model'), { recursive: true })
writeFileSync(join(out, 'shop/products.json'), JSON.stringify(products))
for (const p of products) writeFileSync(join(out, `img/${p.id}.svg`), productSvg(p))
for (const page of PAGES) writeFileSync(join(out, page.file), pageHtml(page))
// The rounds chart's data: empty until `npm run simulate` evaluates published models.
writeFileSync(join(out, 'shop/simulation.json'), JSON.stringify({ evaluations: [] }))

const config: SessionModelConfig = catalogueConfig(products.length, categories.length)
const bytes = encodeModel({
  version: 0,
  description: {
    layout: modelLayout(config),
    config: { ...config },
    vocab: products.map((p) => p.sku),
    categories: products.map((p) => categories.indexOf(p.category) + 1),
    // Cold-start popularity before any round: the catalogue's ratings, a shop's own prior.
    popularity: products.map((p) => p.rating),
  },
  weights: initWeights(config, INIT_SEED),
})
writeFileSync(join(out, 'model/initial.bin'), bytes)
console.log(`assets: ${products.length} products, ${categories.length} categories, initial model ${(bytes.length / 1024).toFixed(1)} KiB`)
