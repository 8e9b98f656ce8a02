import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { catalogueConfig, initWeights, modelLayout } from '../../sdk/src/model/index.js'
import type { GlobalModel } from '../../sdk/src/worker/model-cache.js'
import type { SimProduct } from './personas.js'
import { updateNorms } from './update-norms.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

// The categories of the first two archetypes (home cook, tech fan), 8 products each.
const CATEGORIES = ['kitchen-accessories', 'groceries', 'smartphones', 'mobile-accessories', 'laptops', 'tablets']
const products: SimProduct[] = CATEGORIES.flatMap((category, c) => Array.from({ length: 8 }, (_, i) => ({ id: c * 8 + i + 1, sku: `sku-${c * 8 + i + 1}`, category, price: 5 + i })))

function demoModel(): GlobalModel {
  const config = catalogueConfig(products.length, 0)
  const vocab = products.map((p) => p.sku)
  const bundle = { version: 0, description: { layout: modelLayout(config), config: { ...config }, vocab }, weights: initWeights(config, 3) }
  return { bundle, vocab: new Map(vocab.map((id, i) => [id, i + 1])) }
}

describe('updateNorms', () => {
  it('gives every shopper a positive norm per session held, the same on a rerun', async () => {
    const model = demoModel()
    const norms = await updateNorms(model, products, 2, 2, 1)
    expect(norms).toHaveLength(2)
    for (const row of norms) {
      expect(row).toHaveLength(2)
      for (const n of row) expect(n).toBeGreaterThan(0)
    }
    expect(await updateNorms(model, products, 2, 2, 1)).toEqual(norms)
  })

  it('leaves the global weights as they were', async () => {
    const model = demoModel()
    const before = model.bundle.weights.slice()
    await updateNorms(model, products, 1, 1, 1)
    expect(model.bundle.weights).toEqual(before)
  })
})
