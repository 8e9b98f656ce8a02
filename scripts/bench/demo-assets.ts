/** The built demo store's catalogue and initial model (dist/public), which the browser bench serves. */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { decodeModel, type ModelBundle } from '../../aggregator/src/index.js'
import type { CatalogueItem } from './history.js'

export const REPO_ROOT = resolve(import.meta.dirname, '../..')
const PUBLIC = join(REPO_ROOT, 'dist/public')

function built(path: string): Buffer {
  const f = join(PUBLIC, path)
  if (!existsSync(f)) throw new Error(`dist/public/${path} is missing; run \`node scripts/build.mjs\` first`)
  return readFileSync(f)
}

/** Catalogue items (sku, category) of the demo store. */
export function demoCatalogue(): CatalogueItem[] {
  return (JSON.parse(built('shop/products.json').toString('utf8')) as { sku: string; category: string }[]).map((p) => ({ sku: p.sku, category: p.category }))
}

/** The demo store's initial global model, with the vocabulary map the worker builds from it. */
export function demoModel(): { bundle: ModelBundle; vocab: Map<string, number> } {
  const bundle = decodeModel(new Uint8Array(built('model/initial.bin')))
  return { bundle, vocab: new Map(bundle.description.vocab.map((id, i) => [id, i + 1])) }
}
