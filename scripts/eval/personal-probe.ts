/**
 * `npx tsx scripts/eval/personal-probe.ts --data DIR [--scale S] [--repeat 1] [--cases N] [--epochs E]
 *  [--personal-epochs E] [--personal-lr R] [--gate K]`:
 * an experiment on what a device's personal fine-tune adds over the global model, on a data set
 * without user ids. Each held-out session stands for one shopper whose device holds that session
 * so far: for every prefix of at least two items, the device fine-tunes the global model on the
 * prefix's own next-item examples with the SDK's personal schedule (`personalTrainOptions`,
 * sdk/src/worker/local-training.ts, by the global model's `chanceLossRatio` on the prefix) and
 * ranks the next item; the global model ranks it alone. The cases are also reported by that ratio.
 *
 * The global model trains centrally on the training sessions, less the most recent 1 % (held out,
 * as the federated simulation does; `test.tsv` is never read), for `--epochs` epochs of Adam
 * (0.01, batches of 256) over the full softmax: a stand-in for a published model, not the
 * harness's `fedrec-central`. Prints HR@20 (= P@20) and MRR@20 in percent for both, over every
 * held-out case and over the cases with a history to fine-tune on. A proxy: a real device holds
 * the shopper's earlier sessions too, which these data sets cannot link.
 */
import { parseArgs } from 'node:util'
import { buildExamples, chanceLossRatio, initWeights, SessionModel, writePrefix, type TrainOptions } from '../../sdk/src/model/index.js'
import { COLD_LOSS_RATIO, PERSONAL_TRAIN, personalTrainOptions } from '../../sdk/src/worker/local-training.js'
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
      'personal-epochs': { type: 'string' }, 'personal-lr': { type: 'string' }, gate: { type: 'string' },
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
  // The SDK's schedule for each case (personalTrainOptions, by the global model's loss on the
  // history), unless `--personal-epochs` / `--personal-lr` fix one (on PERSONAL_TRAIN's batches).
  const fixed = values['personal-epochs'] !== undefined || values['personal-lr'] !== undefined
  const scheduleFor = (lossRatio: number): TrainOptions =>
    fixed ? { ...PERSONAL_TRAIN, epochs: Number(values['personal-epochs'] ?? PERSONAL_TRAIN.epochs), learningRate: Number(values['personal-lr'] ?? PERSONAL_TRAIN.learningRate) } : personalTrainOptions(cfg.numItems, lossRatio)
  const describeSchedule = (o: TrainOptions): string => `${o.epochs} epochs of ${o.batchSize} at ${o.learningRate}`
  const [warm, cold] = [describeSchedule(scheduleFor(0)), describeSchedule(scheduleFor(1))]
  console.log(`personal schedule: ${fixed ? warm : warm === cold ? `the SDK's: ${warm}` : `the SDK's: ${warm}, or ${cold} from a loss ratio of ${COLD_LOSS_RATIO}`}`)
  const schedulesUsed = new Map<string, number>()
  const domain = fullDomain(cfg.numItems)
  const rank = async (model: SessionModel, input: Int32Array, target: number): Promise<number> => rankOf(await model.scoreBatch(input, 1), target, domain)
  // `--gate K`: hold out the history's last K transitions, fine-tune on the rest, and rank with
  // the personal model only where it ranks those K better than the global model (sum of
  // reciprocal ranks within 20).
  const gate = Number(values.gate ?? 0)
  let chosen = 0
  let gatable = 0
  const reciprocal = (r: number): number => (Number.isFinite(r) ? 1 / r : 0)
  const heldOutScore = async (model: SessionModel, prefix: number[]): Promise<number> => {
    let sum = 0
    for (let t = prefix.length - gate; t < prefix.length; t++) {
      const inp = new Int32Array(cfg.maxLen)
      writePrefix(prefix, t, cfg.maxLen, inp, 0)
      sum += reciprocal(await rank(model, inp, prefix[t]!))
    }
    return sum
  }
  const gated = async (mine: SessionModel, prefix: number[], input: Int32Array, target: number, g: number, personal: TrainOptions): Promise<number> => {
    if (prefix.length - gate < 2) return g
    gatable++
    const before = await heldOutScore(mine, prefix)
    await mine.train(buildExamples([prefix.slice(0, prefix.length - gate)], cfg.maxLen), personal)
    if (!((await heldOutScore(mine, prefix)) > before)) return g
    chosen++
    return rank(mine, input, target)
  }
  const BUCKETS = [0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9, Infinity]
  const byLoss = BUCKETS.map(() => ({ global: new MetricSums(), personal: new MetricSums() }))
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
    // How well the global model explains the history: it picks the SDK's schedule.
    const loss = await chanceLossRatio(global, buildExamples([prefix], cfg.maxLen))
    const personal = scheduleFor(loss)
    schedulesUsed.set(describeSchedule(personal), (schedulesUsed.get(describeSchedule(personal)) ?? 0) + 1)
    const mine = new SessionModel(cfg, weights)
    try {
      const p = gate > 0 ? await gated(mine, prefix, input, target, g, personal) : await (async () => {
        await mine.train(buildExamples([prefix], cfg.maxLen), personal)
        return rank(mine, input, target)
      })()
      all.personal.add(p)
      withHistory.global.add(g)
      withHistory.personal.add(p)
      const b = byLoss[BUCKETS.findIndex((x) => loss < x)]!
      b.global.add(g)
      b.personal.add(p)
    } finally {
      mine.dispose()
    }
  }
  global.dispose()
  console.log(`schedules used: ${[...schedulesUsed].map(([k, n]) => `${k} in ${n} cases`).join(', ')}`)
  console.log(`every held-out case:     global ${describe(all.global)} | personal ${describe(all.personal)}`)
  if (gate > 0) console.log(`gate: ${gate} held-out transitions; ${gatable} cases could be gated, the personal model chosen in ${chosen}`)
  console.log(`cases with a history:    global ${describe(withHistory.global)} | personal ${describe(withHistory.personal)}`)
  BUCKETS.forEach((hi, i) => {
    const lo = i === 0 ? 0 : BUCKETS[i - 1]!
    console.log(`  global loss / ln(items) in [${lo}, ${hi}): global ${describe(byLoss[i]!.global)} | personal ${describe(byLoss[i]!.personal)}`)
  })
}

main().catch((e: unknown) => {
  console.error(`personal-probe: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
