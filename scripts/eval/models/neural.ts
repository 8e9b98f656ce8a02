/** What the neural recommenders share: dense item indices, training examples, full-catalogue scoring. */

import { buildExamples, repeatBonus, writePrefix, type Examples, type SparseTrainOptions } from '../../../sdk/src/model/index.js'
import { sessionAt, type TrainData } from '../data.js'
import { floatParam, intParam, ParamError } from '../params.js'
import type { FitInfo, FitOptions, ParamValue, Recommender } from '../recommender.js'

/**
 * Training defaults of the centrally trained neural models (`fedrec-central`, `gru`; the session
 * model's own width and length are the shipped config's: fedrec-central.ts `modelConfig`). The
 * learning rate (0.01 against 0.002) was picked on the validation split (last 10 % of training
 * sessions) of the quick Diginetica subsample; mixed negatives (`inBatch`), 2048 uniform ones
 * (validation P@20 / MRR@20 after 3 epochs, a row per item: 512 48.42 / 16.68, 2048 50.19 /
 * 16.93, 4096 49.79 / 16.79) and 4 epochs on the validation split of the full Diginetica
 * training sessions (docs/MODEL.md); input dropout (0.2: 49.00 / 16.71 after 4 epochs), a
 * learning rate halved every epoch and a self-attention block were tried there and left off;
 * the rest are first choices sized to the CPU budget, not tuned. `--quick` trains one epoch with fewer negatives to
 * stay in the CI budget.
 */
export const TRAIN_DEFAULTS = {
  dim: 32,
  maxLen: 10,
  epochs: 4,
  batchSize: 256,
  learningRate: 0.01,
  negatives: 2048,
  bucket: true,
  inBatch: true,
  dropout: 0,
  lrDecay: 1,
  recentEpochs: 0,
  recentShare: 0.2,
} as const
export const TRAIN_QUICK = { epochs: 1, negatives: 256 } as const

/** The shape of {@link TRAIN_DEFAULTS}: a model may pass its own to {@link trainParams}. */
export type TrainDefaults = { readonly [K in keyof typeof TRAIN_DEFAULTS]: (typeof TRAIN_DEFAULTS)[K] extends boolean ? boolean : number }

/** `--param` keys of {@link trainParams}. */
export const TRAIN_PARAM_KEYS = ['dim', 'maxlen', 'epochs', 'batch', 'lr', 'negatives', 'bucket', 'inbatch', 'dropout', 'lr_decay', 'recent_epochs', 'recent_share', 'seed'] as const

/** Parsed training parameters of a centrally trained neural model. */
export interface TrainParams {
  readonly dim: number
  readonly maxLen: number
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly negatives: number
  /** Length bucketing of batches (sdk/src/model/sparse-train.ts), `--param M.bucket=0|1`. */
  readonly bucket: boolean
  /** Mixed negatives: the batch's targets too, logQ-corrected (sparse-train.ts), `M.inbatch=0|1`. */
  readonly inBatch: boolean
  /** Dropout on the encoder's input while training (sparse-train.ts), `M.dropout=p`. */
  readonly dropout: number
  /** The learning rate of epoch e (from 0) is lr · lrDecay^e, `M.lr_decay=f`. */
  readonly lrDecay: number
  /**
   * The last `recentEpochs` of the `epochs` train only on the most recent `recentShare` of the
   * training examples (the sessions are in time order), `M.recent_epochs=n`, `M.recent_share=f`.
   */
  readonly recentEpochs: number
  readonly recentShare: number
  readonly seed: number
}

/**
 * Training parameters from `--param` with {@link TRAIN_DEFAULTS}.
 * @example trainParams(opts).epochs // 3, or 1 under --quick
 */
export function trainParams(opts: FitOptions, defaults: TrainDefaults = TRAIN_DEFAULTS): TrainParams {
  const p = opts.params
  return {
    dim: intParam(p, 'dim', defaults.dim, 4),
    maxLen: intParam(p, 'maxlen', defaults.maxLen, 1),
    epochs: intParam(p, 'epochs', opts.quick ? TRAIN_QUICK.epochs : defaults.epochs, 1),
    batchSize: intParam(p, 'batch', defaults.batchSize, 1),
    learningRate: floatParam(p, 'lr', defaults.learningRate, 0, 10),
    negatives: intParam(p, 'negatives', opts.quick ? TRAIN_QUICK.negatives : defaults.negatives, 1),
    bucket: intParam(p, 'bucket', defaults.bucket ? 1 : 0, 0) === 1,
    inBatch: intParam(p, 'inbatch', defaults.inBatch ? 1 : 0, 0) === 1,
    dropout: floatParam(p, 'dropout', defaults.dropout, 0, 0.95),
    lrDecay: floatParam(p, 'lr_decay', defaults.lrDecay, 0.01, 1),
    recentEpochs: intParam(p, 'recent_epochs', opts.quick ? 0 : defaults.recentEpochs, 0),
    recentShare: floatParam(p, 'recent_share', defaults.recentShare, 0.01, 1),
    seed: intParam(p, 'seed', opts.seed, 0),
  }
}

/** The parameters as reported in the results. */
export function reportedParams(t: TrainParams): Record<string, ParamValue> {
  return { dim: t.dim, maxlen: t.maxLen, epochs: t.epochs, batch: t.batchSize, lr: t.learningRate, negatives: t.negatives, bucket: t.bucket, inbatch: t.inBatch, dropout: t.dropout, lr_decay: t.lrDecay, recent_epochs: t.recentEpochs, recent_share: t.recentShare }
}

/**
 * Runs `t.epochs` epochs of sampled-softmax training through `train` on `ex` (the last
 * `t.recentEpochs` of them on the most recent examples of `recentFrom`, by default `ex`:
 * {@link recentExamples}), logging each epoch's loss (plus whatever `afterEpoch` returns, e.g.
 * validation metrics) and driving the progress bar.
 */
export async function trainEpochs(
  train: (ex: Examples, o: SparseTrainOptions) => Promise<{ epochLosses: number[] }>,
  ex: Examples,
  t: TrainParams,
  opts: FitOptions,
  afterEpoch?: (epoch: number) => Promise<string>,
  recentFrom: Examples = ex,
): Promise<void> {
  if (t.recentEpochs > t.epochs) throw new ParamError(`parameter recent_epochs=${t.recentEpochs} is more than epochs=${t.epochs}`)
  const recent = t.recentEpochs > 0 ? recentExamples(recentFrom, t.recentShare) : ex
  for (let e = 0; e < t.epochs; e++) {
    const t0 = performance.now()
    const { epochLosses } = await train(e < t.epochs - t.recentEpochs ? ex : recent, {
      epochs: 1,
      batchSize: t.batchSize,
      learningRate: t.learningRate * t.lrDecay ** e,
      seed: t.seed + e,
      sampledNegatives: t.negatives,
      bucketByLength: t.bucket,
      inBatchNegatives: t.inBatch,
      dropout: t.dropout,
      onStep: (done, total) => opts.progress((e + done / total) / t.epochs, `epoch ${e + 1}/${t.epochs}`),
    })
    const said = afterEpoch === undefined ? '' : await afterEpoch(e)
    const extra = said === '' ? '' : `; ${said}`
    const secs = ((performance.now() - t0) / 1000).toFixed(0)
    const which = e < t.epochs - t.recentEpochs ? '' : `, the most recent ${recent.count} examples`
    opts.log(`epoch ${e + 1}: loss ${epochLosses[0]!.toFixed(4)} (${secs} s${which})${extra}`)
  }
}

/**
 * The most recent `share` of `ex`'s examples: the last ones, as examples are built session by
 * session in the order of the training file (oldest first). A session model trained on them
 * last leans towards the current period, where the next clicks to predict come from.
 * @example recentExamples(ex, 0.2).count // ⌈0.2 · ex.count⌉
 */
export function recentExamples(ex: Examples, share: number): Examples {
  const count = Math.ceil(ex.count * share)
  const from = ex.count - count
  return { maxLen: ex.maxLen, inputs: ex.inputs.subarray(from * ex.maxLen), targets: ex.targets.subarray(from), count }
}

/**
 * Dense model indices for a data set's item ids: the catalogue's k-th id (ascending) is model
 * item k + 1; 0 is padding and stands for nothing. YooChoose 1/64 uses 17,376 of the ids up to
 * 37,483, so indexing by raw id would waste half of the item table.
 */
export interface ItemIndex {
  /** Raw id → model index (0 = not in the catalogue), length maxId + 1. */
  readonly toModel: Int32Array
  /** Model index - 1 → raw id. */
  readonly toRaw: Int32Array
  readonly numItems: number
}

/**
 * The {@link ItemIndex} of a training set: model indices in descending order of how often the
 * item occurs in training (ties: ascending raw id), the order a compact item table
 * (sdk/src/model/config.ts `ownRows`) expects — the shop knows these counts from its own logs.
 * @example itemIndex(train).toRaw[0] // the most frequent item
 */
export function itemIndex(data: TrainData): ItemIndex {
  const counts = new Int32Array(data.maxId + 1)
  for (const id of data.items) counts[id]!++
  const toRaw = Int32Array.from(data.catalogue).sort((a, b) => counts[b]! - counts[a]! || a - b)
  const toModel = new Int32Array(data.maxId + 1)
  toRaw.forEach((id, k) => (toModel[id] = k + 1))
  return { toModel, toRaw, numItems: toRaw.length }
}

/**
 * Sessions `[from, to)` in model indices.
 * @example modelSessions(train, index, 0, 10).length // 10
 */
export function modelSessions(data: TrainData, index: ItemIndex, from = 0, to = data.sessionCount): Int32Array[] {
  const out: Int32Array[] = []
  for (let s = from; s < to; s++) {
    const raw = sessionAt(data, s)
    const m = new Int32Array(raw.length)
    for (let i = 0; i < raw.length; i++) m[i] = index.toModel[raw[i]!]!
    out.push(m)
  }
  return out
}

/**
 * Every (prefix → next item) example of the training data, in model indices.
 * @example trainingExamples(train, index, 10).count
 */
export function trainingExamples(data: TrainData, index: ItemIndex, maxLen: number): Examples {
  return buildExamples(modelSessions(data, index), maxLen)
}

/**
 * Right-aligned model-index inputs (count × maxLen) for raw-id prefixes; ids outside the
 * catalogue are left out, as if not clicked.
 */
export function prefixInputs(prefixes: readonly Int32Array[], index: ItemIndex, maxLen: number): Int32Array {
  const inputs = new Int32Array(prefixes.length * maxLen)
  prefixes.forEach((p, b) => {
    const known = knownItems(p, index)
    writePrefix(known, known.length, maxLen, inputs, b * maxLen)
  })
  return inputs
}

/** The model indices of a raw-id prefix's items that are in the catalogue, in order. */
export function knownItems(prefix: Int32Array, index: ItemIndex): number[] {
  const known: number[] = []
  for (const id of prefix) {
    const m = id > 0 && id < index.toModel.length ? index.toModel[id]! : 0
    if (m > 0) known.push(m)
  }
  return known
}

/**
 * Full-catalogue scores as dot products of session vectors `h` (count × d) with item vectors
 * `items` ((numItems + 1) × d, row 0 padding), written into `out` rows of width `width` at the
 * raw ids. Plain JS with four accumulators: on tfjs's cpu backend the same product runs at half
 * the speed (measured here: 0.85 s against 1.7 s for 256 × 64 × 43k).
 */
export function dotScores(
  h: Float32Array,
  items: Float32Array,
  count: number,
  d: number,
  index: ItemIndex,
  out: Float32Array,
  width: number,
): void {
  const n = index.numItems
  // Item-major: each item row is read once per batch and dotted with every (cache-resident)
  // session vector, instead of streaming the whole item matrix once per session.
  for (let j = 1; j <= n; j++) {
    const raw = index.toRaw[j - 1]!
    for (let b = 0; b < count; b++) out[b * width + raw] = dot32(h, b * d, items, j, d)
  }
}

/** A model that turns prefixes into session vectors and has one output vector per item. */
export interface VectorModel {
  readonly cfg: { readonly dim: number; readonly maxLen: number }
  encodeBatch(inputs: Int32Array, count: number): Promise<Float32Array>
  itemVectors(): Promise<Float32Array>
  /** Repeat weights per position (sdk/src/model/repeat.ts), null or absent for none. */
  repeatWeights?(): Promise<Float32Array | null>
}

/**
 * Base of the neural recommenders: subclasses train in `fit` and set `vectors`; scoring is the
 * dot product of session and item vectors over the whole catalogue.
 * @example class Gru extends NeuralRecommender { … }
 */
export abstract class NeuralRecommender implements Recommender {
  abstract readonly name: string
  readonly batchSize = 256
  protected index: ItemIndex = { toModel: new Int32Array(1), toRaw: new Int32Array(0), numItems: 0 }
  protected model: VectorModel | null = null
  private items: Float32Array | null = null

  abstract fit(data: TrainData, opts: FitOptions): Promise<FitInfo>

  /** Call after training (or after the weights change) so that scoring sees them. */
  protected async ready(model: VectorModel): Promise<void> {
    this.model = model
    this.items = await model.itemVectors()
    this.repeat = (await model.repeatWeights?.()) ?? null
    this.norms = null
    this.byNorm = null
  }

  private norms: Float64Array | null = null
  private byNorm: Int32Array | null = null

  score(): void {
    throw new Error(`${this.name} scores in batches (scoreBatch)`)
  }

  private repeat: Float32Array | null = null

  /**
   * The repeat scores of a raw-id prefix's items (model index → score; sdk/src/model/repeat.ts),
   * null when the model has none: its known items, the last maxLen of them, as `prefixInputs`
   * feeds them to the encoder.
   */
  protected repeatBonus(prefix: Int32Array): ReadonlyMap<number, number> | null {
    if (this.repeat === null || this.model === null) return null
    return repeatBonus(knownItems(prefix, this.index), this.model.cfg.maxLen, this.repeat)
  }

  async rankBatch(prefixes: readonly Int32Array[], targets: Int32Array, limit: number): Promise<Float64Array> {
    const model = this.model
    if (model === null || this.items === null) throw new Error(`${this.name}: fit() first`)
    const d = model.cfg.dim
    const h = await model.encodeBatch(prefixInputs(prefixes, this.index, model.cfg.maxLen), prefixes.length)
    this.byNorm ??= itemsByNorm(this.items, this.index.numItems, d, (this.norms = new Float64Array(this.index.numItems + 1)))
    const ranks = new Float64Array(prefixes.length)
    for (let b = 0; b < prefixes.length; b++) {
      const t = targets[b]!
      const target = t > 0 && t < this.index.toModel.length ? this.index.toModel[t]! : 0
      const bonus = this.repeatBonus(prefixes[b]!)
      ranks[b] = target === 0 ? Infinity : rankByNorm(h.subarray(b * d, b * d + d), this.items, this.norms!, this.byNorm, target, this.index, limit, bonus)
    }
    return ranks
  }

  async scoreBatch(prefixes: readonly Int32Array[], out: Float32Array): Promise<void> {
    const model = this.model
    if (model === null || this.items === null) throw new Error(`${this.name}: fit() first`)
    const inputs = prefixInputs(prefixes, this.index, model.cfg.maxLen)
    const h = await model.encodeBatch(inputs, prefixes.length)
    const width = out.length / prefixes.length
    dotScores(h, this.items, prefixes.length, model.cfg.dim, this.index, out, width)
    prefixes.forEach((p, b) => {
      for (const [j, bonus] of this.repeatBonus(p) ?? []) out[b * width + this.index.toRaw[j - 1]!] += bonus
    })
  }
}

/** Model items 1..n ordered by the L2 norm of their vector, largest first; fills `norms`. */
function itemsByNorm(items: Float32Array, n: number, d: number, norms: Float64Array): Int32Array {
  for (let j = 1; j <= n; j++) {
    let s = 0
    for (let k = 0; k < d; k++) s += items[j * d + k]! * items[j * d + k]!
    norms[j] = Math.sqrt(s)
  }
  const order = Int32Array.from({ length: n }, (_, i) => i + 1)
  return order.sort((a, b) => norms[b]! - norms[a]!)
}

/**
 * h[ho … ho+d) · item j, summed in float64 with four accumulators and rounded to float32: what
 * `dotScores` stores and `rankByNorm` compares, bit for bit.
 */
function dot32(h: Float32Array, ho: number, items: Float32Array, j: number, d: number): number {
  const io = j * d
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let k = 0
  for (; k + 3 < d; k += 4) {
    s0 += h[ho + k]! * items[io + k]!
    s1 += h[ho + k + 1]! * items[io + k + 1]!
    s2 += h[ho + k + 2]! * items[io + k + 2]!
    s3 += h[ho + k + 3]! * items[io + k + 3]!
  }
  for (; k < d; k++) s0 += h[ho + k]! * items[io + k]!
  return Math.fround(s0 + s1 + s2 + s3)
}

/**
 * The rank `rankOf` would give the model item `target` from `dotScores`' output, found without
 * scoring every item: items are visited by decreasing vector norm, counting those that beat the
 * target (higher score, or equal with a smaller raw id), and the scan stops as soon as `limit`
 * items beat it or no remaining item can (Cauchy–Schwarz: h·e ≤ ‖h‖‖e‖, with a relative margin
 * far above float rounding).
 */
export function rankByNorm(
  h: Float32Array,
  items: Float32Array,
  norms: Float64Array,
  byNorm: Int32Array,
  target: number,
  index: ItemIndex,
  limit: number,
  bonus: ReadonlyMap<number, number> | null = null,
): number {
  const d = h.length
  const st = dot32(h, 0, items, target, d) + (bonus?.get(target) ?? 0)
  if (!(st > -Infinity)) return Infinity
  let hn = 0
  for (let k = 0; k < d; k++) hn += h[k]! * h[k]!
  hn = Math.sqrt(hn)
  const floor = st - 1e-5 * (Math.abs(st) + hn) - 1e-6
  const rawTarget = index.toRaw[target - 1]!
  let above = 0
  // Items with a bonus are outside the norm bound: counted first, skipped in the scan.
  if (bonus !== null) {
    for (const [j, extra] of bonus) {
      if (j === target) continue
      const s = dot32(h, 0, items, j, d) + extra
      if (s > st || (s === st && index.toRaw[j - 1]! < rawTarget)) {
        if (++above >= limit) return Infinity
      }
    }
  }
  for (let i = 0; i < byNorm.length; i++) {
    const j = byNorm[i]!
    if (hn * norms[j]! < floor) break
    if (j === target || bonus?.has(j) === true) continue
    const s = dot32(h, 0, items, j, d)
    if (s > st || (s === st && index.toRaw[j - 1]! < rawTarget)) {
      if (++above >= limit) return Infinity
    }
  }
  return above + 1
}
