/**
 * `npx tsx scripts/simulate/update-norms.ts [--shoppers N] [--sessions S] [--seed K]` (after
 * `npm run build`): the L2 norm of the update each simulated shopper's device would send, before
 * clipping, as its history grows by one session a round (what `npm run simulate` browses). Each
 * update trains the SDK's local schedule (LOCAL_TRAIN) from the demo's initial model on the
 * shopper's sessions, the item-id sequences of its planned views. The clip norm of a DP round
 * should sit near the median (Andrew et al. 2021, "Differentially Private Learning with Adaptive
 * Clipping", NeurIPS, arXiv:1905.03871): a larger one adds noise for nothing; simulate's default
 * `--clip` comes from this table.
 */
import '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { decodeModel } from '../../aggregator/src/index.js'
import { mulberry32 } from '../../sdk/src/model/index.js'
import { trainLocal } from '../../sdk/src/worker/local-training.js'
import { median } from '../bench/stats.js'
import type { GlobalModel } from '../../sdk/src/worker/model-cache.js'
import { REPO_ROOT } from '../../test/support/edge.js'
import { personaFor, planSession, priceRanks, type SimProduct } from './personas.js'
import { isEntryPoint } from '../entry-point.js'

/**
 * Norms of every shopper's update after 1..`sessions` sessions; the same personas and session
 * plans as `runSimulation` with the same seed.
 */
export async function updateNorms(model: GlobalModel, products: readonly SimProduct[], shoppers: number, sessions: number, seed: number): Promise<number[][]> {
  const ranks = priceRanks(products)
  const personas = Array.from({ length: shoppers }, (_, i) => personaFor(i, seed))
  const history: number[][][] = personas.map(() => [])
  const rows: number[][] = []
  for (let r = 0; r < sessions; r++) {
    const row: number[] = []
    for (const [i, p] of personas.entries()) {
      const plan = planSession(p, products, mulberry32(seed * 104_729 + r * 997 + i), ranks)
      history[i]!.push(plan.views.flatMap((v) => model.vocab.get(v.sku) ?? []))
      const { weights } = await trainLocal(model, history[i]!)
      const global = model.bundle.weights
      let sq = 0
      for (let k = 0; k < weights.length; k++) sq += (weights[k]! - global[k]!) ** 2
      row.push(Math.sqrt(sq))
    }
    rows.push(row)
  }
  return rows
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shoppers: { type: 'string' }, sessions: { type: 'string' }, seed: { type: 'string' } }, strict: true })
  const shoppers = Number(values.shoppers ?? 4)
  const sessions = Number(values.sessions ?? 5)
  const seed = Number(values.seed ?? 1)
  for (const [name, n] of [['--shoppers', shoppers], ['--sessions', sessions], ['--seed', seed]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`)
  }
  const bundle = decodeModel(new Uint8Array(readFileSync(join(REPO_ROOT, 'dist/public/model/initial.bin'))))
  const vocab = new Map(bundle.description.vocab.map((id, i) => [id, i + 1] as const))
  const products = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/public/shop/products.json'), 'utf8')) as SimProduct[]
  const rows = await updateNorms({ bundle, vocab }, products, shoppers, sessions, seed)
  console.log(`| sessions held | ${Array.from({ length: shoppers }, (_, i) => personaFor(i, seed).name).join(' | ')} |`)
  console.log(`|---|${'--:|'.repeat(shoppers)}`)
  rows.forEach((row, r) => console.log(`| ${r + 1} | ${row.map((x) => x.toFixed(2)).join(' | ')} |`))
  console.log(`\nmedian L2 norm ${median(rows.flat()).toFixed(2)} over ${rows.flat().length} updates`)
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`update-norms: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  })
}
