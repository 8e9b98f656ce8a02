/**
 * `npx tsx scripts/eval/personal-probe.ts --data DIR [--scale S] [--repeat 1] [--cases N] [--epochs E]
 *  [--personal-epochs E] [--personal-lr R]`:
 * an experiment on what a device's personal fine-tune adds over the global model, on a data set
 * without user ids. Each held-out session stands for one shopper whose device holds that session
 * so far: for every prefix of at least two items, the device fine-tunes the global model on the
 * prefix's own next-item examples with the SDK's personal schedule (`personalTrainOptions`,
 * sdk/src/worker/local-training.ts) and ranks the next item; the global model ranks it alone.
 *
 * The global model trains centrally on the training sessions, less the most recent 1 % (held out,
 * as the federated simulation does; `test.tsv` is never read), for `--epochs` epochs of Adam
 * (0.01, batches of 256) over the full softmax: a stand-in for a published model, not the
 * harness's `fedrec-central`. Prints HR@20 (= P@20) and MRR@20 in percent for both, over every
 * held-out case and over the cases with a history to fine-tune on. A proxy: a real device holds
 * the shopper's earlier sessions too, which these data sets cannot link.
 */
import { parseArgs } from 'node:util'
import { buildExamples, initWeights, SessionModel, writePrefix } from '../../sdk/src/model/index.js'
import { personalTrainOptions } from '../../sdk/src/worker/local-training.js'
import { carveValidation, loadDataset, prefixAt } from './data.js'
import { fullDomain, rankOf } from './metrics.js'
import { modelConfig } from './models/fedrec-central.js'
import { itemIndex, modelSessions } from './models/neural.js'
import { nodeTf } from './models/tf-node.js'

/** Hits and reciprocal ranks at 20 of one ranker. */
class Tally {
  hits = 0
  rr = 0
  n = 0
  add(rank: number): void {
    this.n++
    if (rank <= 20) {
      this.hits++
      this.rr += 1 / rank
    }
  }
  toString(): string {
    return this.n === 0 ? 'no cases' : `P@20 ${((100 * this.hits) / this.n).toFixed(2)}  MRR@20 ${((100 * this.rr) / this.n).toFixed(2)}  (${this.n} cases)`
  }
}

async function rank(model: SessionModel, prefix: Int32Array, target: number, numItems: number): Promise<number> {
  const maxLen = model.cfg.maxLen
  const input = new Int32Array(maxLen)
  writePrefix(prefix, prefix.length, maxLen, input, 0)
  return rankOf(await model.scoreBatch(input, 1), target, fullDomain(numItems))
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' }, scale: { type: 'string' }, repeat: { type: 'string' }, dim: { type: 'string' }, cases: { type: 'string' }, epochs: { type: 'string' },
      'personal-epochs': { type: 'string' }, 'personal-lr': { type: 'string' },
    },
    strict: true,
  })
  if (values.data === undefined) throw new Error('--data DIR is required')
  await nodeTf()
  const ds = await loadDataset(values.data)
  const held = carveValidation(ds.train, 0.01, Number(values.cases ?? 1000))
  const index = itemIndex(held.fit)
  const params: Record<string, string> = {}
  for (const k of ['scale', 'repeat', 'dim'] as const) if (values[k] !== undefined) params[k] = values[k]!
  const cfg = modelConfig(index.numItems, params)
  const global = new SessionModel(cfg, initWeights(cfg, 1))
  const t0 = Date.now()
  await global.train(buildExamples(modelSessions(held.fit, index), cfg.maxLen), { epochs: Number(values.epochs ?? 3), batchSize: 256, learningRate: 0.01, seed: 1 })
  const weights = await global.getWeights()
  console.log(`global model ${JSON.stringify(cfg)}: trained in ${((Date.now() - t0) / 1000).toFixed(0)} s on ${held.fitSessions} sessions`)
  // `--personal-epochs` / `--personal-lr` try another personal schedule than the SDK's.
  const shipped = personalTrainOptions(cfg.numItems)
  const personal = { ...shipped, epochs: Number(values['personal-epochs'] ?? shipped.epochs), learningRate: Number(values['personal-lr'] ?? shipped.learningRate) }
  console.log(`personal schedule: ${personal.epochs} epochs of ${personal.batchSize} at ${personal.learningRate}`)
  const all = { global: new Tally(), personal: new Tally() }
  const withHistory = { global: new Tally(), personal: new Tally() }
  for (let c = 0; c < held.cases.count; c++) {
    const target = index.toModel[held.cases.targets[c]!] ?? 0
    if (target === 0) continue
    const prefix = Int32Array.from(Array.from(prefixAt(held.cases, c), (id) => index.toModel[id] ?? 0).filter((id) => id > 0))
    const g = await rank(global, prefix, target, cfg.numItems)
    all.global.add(g)
    if (prefix.length < 2) {
      all.personal.add(g)
      continue
    }
    const mine = new SessionModel(cfg, weights)
    try {
      await mine.train(buildExamples([prefix], cfg.maxLen), personal)
      const p = await rank(mine, prefix, target, cfg.numItems)
      all.personal.add(p)
      withHistory.global.add(g)
      withHistory.personal.add(p)
    } finally {
      mine.dispose()
    }
  }
  global.dispose()
  console.log(`every held-out case:     global ${all.global} | personal ${all.personal}`)
  console.log(`cases with a history:    global ${withHistory.global} | personal ${withHistory.personal}`)
}

main().catch((e: unknown) => {
  console.error(`personal-probe: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
