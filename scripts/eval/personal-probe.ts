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
import { buildExamples, initWeights, SessionModel } from '../../sdk/src/model/index.js'
import { personalTrainOptions } from '../../sdk/src/worker/local-training.js'
import { carveValidation, loadDataset, prefixAt } from './data.js'
import { fullDomain, MetricSums, rankOf } from './metrics.js'
import { modelConfig } from './models/fedrec-central.js'
import { itemIndex, knownItems, prefixInputs, trainingExamples } from './models/neural.js'
import { nodeTf } from './models/tf-node.js'

/** P@20 and MRR@20 in percent, and the cases counted. */
function describe(m: MetricSums): string {
  const r = m.result()
  return r.cases === 0 ? 'no cases' : `P@20 ${r.p20.toFixed(2)}  MRR@20 ${r.mrr20.toFixed(2)}  (${r.cases} cases)`
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
  await global.train(trainingExamples(held.fit, index, cfg.maxLen), { epochs: Number(values.epochs ?? 3), batchSize: 256, learningRate: 0.01, seed: 1 })
  const weights = await global.getWeights()
  console.log(`global model ${JSON.stringify(cfg)}: trained in ${((Date.now() - t0) / 1000).toFixed(0)} s on ${held.fitSessions} sessions`)
  // `--personal-epochs` / `--personal-lr` try another personal schedule than the SDK's.
  const shipped = personalTrainOptions(cfg.numItems)
  const personal = { ...shipped, epochs: Number(values['personal-epochs'] ?? shipped.epochs), learningRate: Number(values['personal-lr'] ?? shipped.learningRate) }
  console.log(`personal schedule: ${personal.epochs} epochs of ${personal.batchSize} at ${personal.learningRate}`)
  const domain = fullDomain(cfg.numItems)
  const rank = async (model: SessionModel, input: Int32Array, target: number): Promise<number> => rankOf(await model.scoreBatch(input, 1), target, domain)
  const all = { global: new MetricSums(), personal: new MetricSums() }
  const withHistory = { global: new MetricSums(), personal: new MetricSums() }
  for (let c = 0; c < held.cases.count; c++) {
    const target = index.toModel[held.cases.targets[c]!] ?? 0
    if (target === 0) continue
    const raw = prefixAt(held.cases, c)
    const prefix = knownItems(raw, index)
    const input = prefixInputs([raw], index, cfg.maxLen)
    const g = await rank(global, input, target)
    all.global.add(g)
    if (prefix.length < 2) {
      all.personal.add(g)
      continue
    }
    const mine = new SessionModel(cfg, weights)
    try {
      await mine.train(buildExamples([prefix], cfg.maxLen), personal)
      const p = await rank(mine, input, target)
      all.personal.add(p)
      withHistory.global.add(g)
      withHistory.personal.add(p)
    } finally {
      mine.dispose()
    }
  }
  global.dispose()
  console.log(`every held-out case:     global ${describe(all.global)} | personal ${describe(all.personal)}`)
  console.log(`cases with a history:    global ${describe(withHistory.global)} | personal ${describe(withHistory.personal)}`)
}

main().catch((e: unknown) => {
  console.error(`personal-probe: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
