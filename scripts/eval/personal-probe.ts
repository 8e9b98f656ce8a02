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
import { buildExamples, chanceLossRatio, initWeights, SessionModel, writePrefix, type Examples, type TrainOptions } from '../../sdk/src/model/index.js'
import { COLD_LOSS_RATIO, PERSONAL_TRAIN, personalTrainOptions } from '../../sdk/src/worker/local-training.js'
import { carveValidation, loadDataset, prefixAt, type TrainData } from './data.js'
import { fullDomain, MetricSums, rankOf } from './metrics.js'
import { modelConfig } from './models/fedrec-central.js'
import { itemIndex, knownItems, prefixInputs, trainingExamples } from './models/neural.js'
import { nodeTf } from './models/tf-node.js'
import { isEntryPoint } from '../entry-point.js'

/** What {@link probePersonal} is asked. */
export interface ProbeOptions {
  /** Share of the most recent training sessions held out as cases (0.01). */
  readonly heldOutShare?: number
  /** At most this many held-out cases (1,000). */
  readonly cases?: number
  /** `scale`, `repeat`, `dim` of the model (`--param` values; default what the SDK ships). */
  readonly params?: Readonly<Record<string, string>>
  /** Epochs of the global model's central training (3). */
  readonly epochs?: number
  /** A fixed personal schedule on PERSONAL_TRAIN's batches instead of the SDK's choice. */
  readonly personalEpochs?: number
  readonly personalLr?: number
  /** Hold the history's last `gate` transitions out and keep the personal model only where it ranks them better (0: off). */
  readonly gate?: number
  readonly log?: (line: string) => void
}

/** Global and personal metrics over one group of cases. */
export interface Pair {
  readonly global: MetricSums
  readonly personal: MetricSums
}

export interface ProbeReport {
  readonly all: Pair
  /** The cases with a history of at least two items, which the personal model is trained on. */
  readonly withHistory: Pair
  /** The cases with a history by the global model's loss ratio, below each upper bound of {@link LOSS_BUCKETS}. */
  readonly byLoss: readonly Pair[]
  /** How many cases each personal schedule trained ("E epochs of B at R"). */
  readonly schedulesUsed: ReadonlyMap<string, number>
  readonly gate: { readonly gateable: number; readonly chosen: number }
}

/** Upper bounds of the loss-ratio groups of {@link ProbeReport.byLoss}. */
export const LOSS_BUCKETS = [0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9, Infinity] as const

const pair = (): Pair => ({ global: new MetricSums(), personal: new MetricSums() })
const describeSchedule = (o: TrainOptions): string => `${o.epochs} epochs of ${o.batchSize} at ${o.learningRate}`

/**
 * Trains a global model on the training sessions less the held-out ones and compares it, on
 * every held-out case, with the personal fine-tune of it on that case's prefix (the module's
 * comment says why). Needs a tfjs backend set.
 * @example const report = await probePersonal(ds.train, { cases: 1000 })
 */
export async function probePersonal(train: TrainData, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const log = opts.log ?? (() => {})
  const held = carveValidation(train, opts.heldOutShare ?? 0.01, opts.cases ?? 1000)
  const index = itemIndex(held.fit)
  const cfg = modelConfig(index.numItems, { ...opts.params })
  const global = new SessionModel(cfg, initWeights(cfg, 1))
  const t0 = Date.now()
  await global.train(trainingExamples(held.fit, index, cfg.maxLen), { epochs: opts.epochs ?? 3, batchSize: 256, learningRate: 0.01, seed: 1 })
  const weights = await global.getWeights()
  log(`global model ${JSON.stringify(cfg)}: trained in ${((Date.now() - t0) / 1000).toFixed(0)} s on ${held.fitSessions} sessions`)
  // The SDK's schedule for each case (personalTrainOptions, by the global model's loss on the
  // history), unless a fixed one is asked for (on PERSONAL_TRAIN's batches).
  const fixed = opts.personalEpochs !== undefined || opts.personalLr !== undefined
  const scheduleFor = (lossRatio: number): TrainOptions =>
    fixed ? { ...PERSONAL_TRAIN, epochs: opts.personalEpochs ?? PERSONAL_TRAIN.epochs, learningRate: opts.personalLr ?? PERSONAL_TRAIN.learningRate } : personalTrainOptions(cfg.numItems, lossRatio)
  const [warm, cold] = [describeSchedule(scheduleFor(0)), describeSchedule(scheduleFor(1))]
  log(`personal schedule: ${fixed ? warm : warm === cold ? `the SDK's: ${warm}` : `the SDK's: ${warm}, or ${cold} from a loss ratio of ${COLD_LOSS_RATIO}`}`)
  const schedulesUsed = new Map<string, number>()
  const domain = fullDomain(cfg.numItems)
  const rank = async (model: SessionModel, input: Int32Array, target: number): Promise<number> => rankOf(await model.scoreBatch(input, 1), target, domain)
  // The gate scores the held-out transitions by their reciprocal ranks within 20.
  const gate = opts.gate ?? 0
  const gateCount = { gateable: 0, chosen: 0 }
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
  const personalRank = async (mine: SessionModel, prefix: number[], ex: Examples, input: Int32Array, target: number, g: number, personal: TrainOptions): Promise<number> => {
    if (gate === 0) {
      await mine.train(ex, personal)
      return rank(mine, input, target)
    }
    if (prefix.length - gate < 2) return g
    gateCount.gateable++
    const before = await heldOutScore(mine, prefix)
    await mine.train(buildExamples([prefix.slice(0, prefix.length - gate)], cfg.maxLen), personal)
    if (!((await heldOutScore(mine, prefix)) > before)) return g
    gateCount.chosen++
    return rank(mine, input, target)
  }
  const byLoss = LOSS_BUCKETS.map(pair)
  const all = pair()
  const withHistory = pair()
  try {
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
      const ex = buildExamples([prefix], cfg.maxLen)
      const loss = await chanceLossRatio(global, ex)
      const personal = scheduleFor(loss)
      schedulesUsed.set(describeSchedule(personal), (schedulesUsed.get(describeSchedule(personal)) ?? 0) + 1)
      const mine = new SessionModel(cfg, weights)
      try {
        const p = await personalRank(mine, prefix, ex, input, target, g, personal)
        for (const group of [all, withHistory, byLoss[LOSS_BUCKETS.findIndex((x) => loss < x)]!]) {
          if (group !== all) group.global.add(g)
          group.personal.add(p)
        }
      } finally {
        mine.dispose()
      }
    }
  } finally {
    global.dispose()
  }
  return { all, withHistory, byLoss, schedulesUsed, gate: gateCount }
}

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
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))
  await nodeTf()
  const ds = await loadDataset(values.data)
  const params: Record<string, string> = {}
  for (const k of ['scale', 'repeat', 'dim'] as const) if (values[k] !== undefined) params[k] = values[k]!
  const gate = num(values.gate) ?? 0
  const report = await probePersonal(ds.train, {
    cases: num(values.cases),
    params,
    epochs: num(values.epochs),
    personalEpochs: num(values['personal-epochs']),
    personalLr: num(values['personal-lr']),
    gate,
    log: (line) => console.log(line),
  })
  console.log(`schedules used: ${[...report.schedulesUsed].map(([k, n]) => `${k} in ${n} cases`).join(', ')}`)
  console.log(`every held-out case:     global ${describe(report.all.global)} | personal ${describe(report.all.personal)}`)
  if (gate > 0) console.log(`gate: ${gate} held-out transitions; ${report.gate.gateable} cases could be gated, the personal model chosen in ${report.gate.chosen}`)
  console.log(`cases with a history:    global ${describe(report.withHistory.global)} | personal ${describe(report.withHistory.personal)}`)
  LOSS_BUCKETS.forEach((hi, i) => {
    const lo = i === 0 ? 0 : LOSS_BUCKETS[i - 1]!
    console.log(`  global loss / ln(items) in [${lo}, ${hi}): global ${describe(report.byLoss[i]!.global)} | personal ${describe(report.byLoss[i]!.personal)}`)
  })
}

if (isEntryPoint(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`personal-probe: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  })
}
