/**
 * The session model: attention over the items of the current session (NARM / STAMP family,
 * Li et al. 2017; Liu et al. 2018) with item embeddings tied to the output layer. One definition,
 * trained by the browser worker and by the Node evaluation harness.
 * Training needs tfjs's kernels and gradients registered: the SDK's worker registers exactly the
 * ones this model runs (sdk/src/worker/kernels/, whose test fails by name when the model starts
 * using a new op); Node imports '@tensorflow/tfjs', whose CommonJS build registers them all.
 */
import * as tf from '@tensorflow/tfjs-core'
import { layoutSize, tensorSize } from '../../../aggregator/src/index.js'
import { itemCategoryIndex, itemSlots, logitScale, modelLayout, NORM_EPS, selfAttentionBlocks, slotsPerItem, type SessionModelConfig } from './config.js'
import { shuffleInPlace, type Examples } from './examples.js'
import { mulberry32 } from './init-weights.js'
import { RowSparseTrainer, type RowSparseModel } from './sparse-train.js'
import { repeatBonus } from './repeat.js'
import { matMul, matMulBt, softmaxCrossEntropy } from './train-ops.js'

/** Local training options. */
export interface TrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  /** Seed of the example shuffle (training is otherwise deterministic per backend). */
  readonly seed: number
  /** Optional cap on the number of optimizer steps (whole run). */
  readonly maxSteps?: number
  /**
   * Sampled softmax: score each example's target against this many negatives drawn uniformly
   * from the catalogue, shared by the batch (Jean et al. 2015; uniform sampling needs no logQ
   * correction). 0 or absent = full softmax over every item, which is exact and cheap for a
   * small shop (194 items) but dominates the step on a 43k-item catalogue. Scoring is always
   * over the whole catalogue.
   */
  readonly sampledNegatives?: number
  /** `adam` (default) or plain `sgd` (no optimizer state: cheaper for one-shot client updates). */
  readonly optimizer?: OptimizerName
  /** Sampled-softmax training only: called after every step with (steps done, steps planned). */
  readonly onStep?: (done: number, total: number) => void
  /** Sampled-softmax training only: batch prefixes of similar length (see sparse-train.ts). */
  readonly bucketByLength?: boolean
  /** Sampled-softmax training only: mixed negatives with logQ correction (see sparse-train.ts). */
  readonly inBatchNegatives?: boolean
  /** Sampled-softmax training only: dropout on the encoder's input (see sparse-train.ts). */
  readonly dropout?: number
}

/** The optimizers {@link SessionModel.train} can use. */
export const OptimizerName = { Adam: 'adam', Sgd: 'sgd' } as const
export type OptimizerName = (typeof OptimizerName)[keyof typeof OptimizerName]

export const defaultTrainOptions = { epochs: 5, batchSize: 32, learningRate: 0.01, seed: 1 } satisfies TrainOptions

export interface TrainResult {
  /** Mean loss of each epoch. */
  readonly epochLosses: number[]
  readonly steps: number
}


/**
 * A trainable instance over a flat weight vector.
 * @example
 * const m = new SessionModel(cfg, weights)
 * await m.train(buildExamples(sessions, cfg.maxLen), defaultTrainOptions)
 * const delta = m.getWeights().map((w, i) => w - weights[i])
 * m.dispose()
 */
export class SessionModel implements RowSparseModel {
  readonly vars: tf.Variable[]
  private sparse: RowSparseTrainer | null = null
  private readonly itemCats: tf.Tensor1D
  /** {@link RowSparseModel.itemSlots}. */
  readonly itemSlots: Int32Array
  /** {@link RowSparseModel.slotsPerItem}. */
  readonly slotsPerItem: 1 | 2
  /** Compact tables only: the two table rows of every item, [numItems + 1] each. */
  private readonly slotRows: readonly [tf.Tensor1D, tf.Tensor1D] | null
  private optimizer: tf.Optimizer | null = null
  private optimizerKey = ''

  constructor(
    readonly cfg: SessionModelConfig,
    weights: Float32Array,
    itemCategories?: ArrayLike<number>,
  ) {
    const layout = modelLayout(cfg)
    if (weights.length !== layoutSize(layout)) throw new Error(`weights have ${weights.length} values, the model needs ${layoutSize(layout)}`)
    let off = 0
    this.vars = layout.map((t) => {
      const n = tensorSize(t.shape)
      const init = tf.tensor(weights.subarray(off, off + n), [...t.shape], 'float32')
      const v = tf.variable(init, true, `${t.name}_${Math.random().toString(36).slice(2)}`)
      init.dispose()
      off += n
      return v
    })
    this.itemCats = tf.tensor1d(itemCategoryIndex(cfg, itemCategories), 'int32')
    this.itemSlots = itemSlots(cfg)
    this.slotsPerItem = slotsPerItem(cfg)
    if (this.slotsPerItem === 2) {
      const n = cfg.numItems + 1
      const a = new Int32Array(n)
      const b = new Int32Array(n)
      for (let i = 0; i < n; i++) {
        a[i] = this.itemSlots[2 * i]!
        b[i] = this.itemSlots[2 * i + 1]!
      }
      this.slotRows = [tf.tensor1d(a, 'int32'), tf.tensor1d(b, 'int32')]
    } else {
      this.slotRows = null
    }
  }

  private get p() {
    const [itemEmb, catEmb, posEmb, attW1, attW2, attV, outW] = this.vars as [tf.Variable, ...tf.Variable[]]
    return { itemEmb, catEmb, posEmb, attW1, attW2, attV, outW } as Record<string, tf.Variable>
  }

  /**
   * Item representations [numItems + 1, dim]: the item's table row(s) plus its category's
   * embedding (a compact table adds each item's two rows).
   */
  private itemMatrix(): tf.Tensor2D {
    const p = this.p
    const cats = tf.gather(p.catEmb as tf.Tensor2D, this.itemCats)
    if (this.slotRows === null) return this.outputNorm(tf.add(p.itemEmb!, cats) as tf.Tensor2D)
    const [a, b] = this.slotRows
    return this.outputNorm(tf.addN([tf.gather(p.itemEmb!, a), tf.gather(p.itemEmb!, b), cats]) as tf.Tensor2D)
  }

  /**
   * With cosine logits ({@link SessionModelConfig.scale}), `v` [n, d] scaled to unit rows times
   * `scale` (session vectors take the scale, item vectors 1); unchanged otherwise.
   */
  private outputNorm(v: tf.Tensor2D, scale = 1): tf.Tensor2D {
    if (logitScale(this.cfg) === 0) return v
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(v), 1, true), NORM_EPS))
    return tf.mul(tf.div(v, norm), scale) as tf.Tensor2D
  }

  /** The representation of the given item ids (any shape): only those rows are computed. */
  private itemRows(ids: tf.Tensor): tf.Tensor {
    const p = this.p
    const table = p.itemEmb as tf.Tensor2D
    const cats = tf.gather(p.catEmb as tf.Tensor2D, tf.gather(this.itemCats, ids))
    if (this.slotRows === null) return tf.add(tf.gather(table, ids), cats)
    const [a, b] = this.slotRows
    return tf.addN([tf.gather(table, tf.gather(a, ids)), tf.gather(table, tf.gather(b, ids)), cats])
  }

  /** Session representations [batch, dim] of right-aligned prefixes [batch, maxLen]. */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return this.attend(this.itemRows(x) as tf.Tensor3D, x)
  }

  /** {@link RowSparseModel.encodeRows}: the same encoder over item vectors built by the trainer. */
  encodeRows(rows: tf.Tensor2D, xLocal: tf.Tensor2D, xGlobal: tf.Tensor2D, dropMask?: tf.Tensor3D): tf.Tensor2D {
    const p = this.p
    const emb = tf.add(tf.gather(rows, xLocal), tf.gather(p.catEmb as tf.Tensor2D, tf.gather(this.itemCats, xGlobal)))
    return this.attend(emb as tf.Tensor3D, xGlobal, dropMask)
  }

  /** {@link RowSparseModel.outputRows}: item vectors plus the items' category embeddings. */
  outputRows(rows: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
    return this.outputNorm(tf.add(rows, tf.gather(this.p.catEmb as tf.Tensor2D, tf.gather(this.itemCats, ids))) as tf.Tensor2D)
  }

  /**
   * The encoder proper: item vectors `emb` [b, len, d] of the prefixes `x` (0 = padding) plus
   * position embeddings; additive attention of every position against the last click (NARM's
   * local encoder, Li et al. 2017), then [attended; last] projected back to d. `dropMask`
   * (training only) multiplies the input vectors.
   */
  private attend(items: tf.Tensor3D, x: tf.Tensor2D, dropMask?: tf.Tensor3D): tf.Tensor2D {
    const p = this.p
    const [b, len] = x.shape
    const d = this.cfg.dim
    const mask = tf.greater(x, 0) // [b, len]
    const pos = tf.slice(p.posEmb!, [this.cfg.maxLen - len, 0], [len, d])
    const added = tf.add(items, pos) as tf.Tensor3D
    let emb = dropMask === undefined ? added : (tf.mul(added, dropMask) as tf.Tensor3D)
    const blocks = selfAttentionBlocks(this.cfg)
    if (blocks > 0) {
      // Keys at padding positions get −1e9 before the softmax: [b, 1, len], broadcast over queries.
      const keyBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9), [b, 1, len])
      for (let i = 0; i < blocks; i++) emb = this.selfAttend(emb, keyBias, i)
    }
    const last = tf.reshape(tf.slice(emb, [0, len - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D
    const k = tf.reshape(matMul(tf.reshape(emb, [b * len, d]) as tf.Tensor2D, p.attW1 as tf.Tensor2D), [b, len, d])
    const q = tf.reshape(matMul(last, p.attW2 as tf.Tensor2D), [b, 1, d])
    const gate = tf.reshape(tf.sigmoid(tf.add(k, q)), [b * len, d]) as tf.Tensor2D
    const e = tf.reshape(matMul(gate, p.attV as tf.Tensor2D), [b, len])
    const masked = tf.where(mask, e, tf.fill([b, len], -1e9))
    const alpha = tf.reshape(tf.softmax(masked, 1), [b, len, 1])
    const s = tf.sum(tf.mul(alpha, emb), 1) as tf.Tensor2D
    return this.outputNorm(matMul(tf.concat([s, last], 1), p.outW as tf.Tensor2D), logitScale(this.cfg))
  }

  /**
   * Self-attention block `i` ({@link SessionModelConfig.selfAttention}) over item vectors
   * [b, len, d]: each position adds the value vectors of the session's items, weighted by the
   * softmax of its query against their keys (`keyBias` masks padding keys).
   */
  private selfAttend(x: tf.Tensor3D, keyBias: tf.Tensor, i: number): tf.Tensor3D {
    const [b, len, d] = x.shape
    const base = 7 + 3 * i
    const [wq, wk, wv] = [this.vars[base], this.vars[base + 1], this.vars[base + 2]] as [tf.Variable, tf.Variable, tf.Variable]
    const flat = tf.reshape(x, [b * len, d]) as tf.Tensor2D
    const proj = (w: tf.Variable): tf.Tensor3D => tf.reshape(matMul(flat, w as tf.Tensor2D), [b, len, d]) as tf.Tensor3D
    const scores = tf.add(tf.mul(matMulBt(proj(wq), proj(wk)), 1 / Math.sqrt(d)), keyBias)
    const weights = tf.softmax(scores) as tf.Tensor3D
    return tf.add(x, matMul(weights, proj(wv))) as tf.Tensor3D
  }

  /** Logits over all items for a batch of right-aligned prefixes [batch, maxLen]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const similarity = matMulBt(this.encode(x), this.itemMatrix())
    return this.repeatVar === null ? similarity : (tf.add(similarity, this.repeatLogits(x)) as tf.Tensor2D)
  }

  /**
   * Repeat scores [b, numItems + 1] of right-aligned prefixes [b, len]
   * ({@link SessionModelConfig.repeat}): Σ over positions j holding item i of `rep_w[j]`, by
   * one-hot rows, so only for catalogues whose full softmax is trained anyway (`scoreBatch`
   * adds them in plain JS instead).
   */
  private repeatLogits(x: tf.Tensor2D): tf.Tensor2D {
    const [b, len] = x.shape
    const n = this.cfg.numItems + 1
    const w = tf.reshape(tf.slice(this.repeatVar!, [this.cfg.maxLen - len], [len]), [1, len, 1])
    const real = tf.reshape(tf.cast(tf.greater(x, 0), 'float32'), [b, len, 1])
    const held = tf.mul(tf.reshape(tf.cast(tf.oneHot(tf.reshape(x, [-1]) as tf.Tensor1D, n), 'float32'), [b, len, n]), real)
    return tf.sum(tf.mul(held, w), 1) as tf.Tensor2D
  }

  /** The repeat weights ({@link SessionModelConfig.repeat}), null when the model has none. */
  get repeatVar(): tf.Variable | null {
    return this.cfg.repeat === true ? this.vars[this.vars.length - 1]! : null
  }

  /** The repeat weights' values, one per position (null without repeat scores), for scoring in plain JS. */
  async repeatWeights(): Promise<Float32Array | null> {
    const v = this.repeatVar
    return v === null ? null : ((await v.data()) as Float32Array).slice()
  }

  /**
   * Mean softmax cross-entropy of predicting `y` from `x`, over the whole catalogue, from the
   * logits ranking uses (with repeat scores, those too: the repeat weights learn with the rest).
   */
  loss(x: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
    return softmaxCrossEntropy(this.logits(x), y)
  }

  /**
   * Trains on the examples with Adam, shuffling with a seeded generator. Mean loss per epoch.
   */
  async train(ex: Examples, opts: TrainOptions): Promise<TrainResult> {
    if (ex.maxLen !== this.cfg.maxLen) throw new Error(`examples use maxLen ${ex.maxLen}, the model ${this.cfg.maxLen}`)
    // Sampling negatives only pays when they are fewer than the items.
    const negatives = opts.sampledNegatives ?? 0
    if (negatives > 0 && negatives < this.cfg.numItems) {
      this.sparse ??= new RowSparseTrainer(this)
      return this.sparse.train(ex, { ...opts, sampledNegatives: negatives })
    }
    const epochLosses: number[] = []
    if (ex.count === 0) return { epochLosses, steps: 0 }
    const optimizer = this.optimizerFor(opts)
    const rand = mulberry32(opts.seed)
    const order = Int32Array.from({ length: ex.count }, (_, i) => i)
    const L = ex.maxLen
    let steps = 0
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      shuffleInPlace(order, rand)
      let sum = 0
      let batches = 0
      for (let start = 0; start < ex.count; start += opts.batchSize) {
        if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break
        const n = Math.min(opts.batchSize, ex.count - start)
        const xb = new Int32Array(n * L)
        const yb = new Int32Array(n)
        for (let r = 0; r < n; r++) {
          const e = order[start + r]!
          xb.set(ex.inputs.subarray(e * L, e * L + L), r * L)
          yb[r] = ex.targets[e]!
        }
        const lossT = tf.tidy(() => {
          const x = tf.tensor2d(xb, [n, L], 'int32')
          const y = tf.tensor1d(yb, 'int32')
          return optimizer.minimize(() => this.loss(x, y), true, this.vars) ?? tf.scalar(Number.NaN)
        })
        sum += (await lossT.data())[0]!
        lossT.dispose()
        batches++
        steps++
      }
      if (batches > 0) epochLosses.push(sum / batches)
    }
    return { epochLosses, steps }
  }

  /**
   * The optimizer for these options: kept across `train` calls (Adam's moments carry over)
   * while the optimizer kind and learning rate stay the same, recreated otherwise.
   */
  private optimizerFor(opts: TrainOptions): tf.Optimizer {
    const kind = opts.optimizer ?? OptimizerName.Adam
    const key = `${kind}:${opts.learningRate}`
    if (this.optimizer === null || key !== this.optimizerKey) {
      this.optimizer?.dispose()
      this.optimizer = kind === OptimizerName.Sgd ? tf.train.sgd(opts.learningRate) : tf.train.adam(opts.learningRate)
      this.optimizerKey = key
    }
    return this.optimizer
  }

  /**
   * Overwrites every weight (layout order) and forgets the optimizer state, so one instance can
   * train many clients in turn, each from the global model.
   * @example m.setWeights(global); await m.train(clientExamples, opts)
   */
  setWeights(weights: Float32Array): void {
    const size = layoutSize(modelLayout(this.cfg))
    if (weights.length !== size) throw new Error(`weights have ${weights.length} values, the model needs ${size}`)
    let off = 0
    for (const v of this.vars) {
      const n = v.size
      tf.tidy(() => v.assign(tf.tensor(weights.subarray(off, off + n), v.shape, 'float32')))
      off += n
    }
    this.optimizer?.dispose()
    this.optimizer = null
    this.sparse?.reset()
  }

  /** {@link RowSparseModel.numItems}. */
  get numItems(): number {
    return this.cfg.numItems
  }

  /** {@link RowSparseModel.itemTable}: the item table, tied to the output layer. */
  get itemTable(): tf.Variable {
    return this.vars[0]!
  }

  /** {@link RowSparseModel.denseVars}: every variable but the item table. */
  get denseVars(): tf.Variable[] {
    return this.vars.slice(1)
  }

  /**
   * Session vectors [count, dim] of right-aligned prefixes (count × maxLen): with
   * {@link SessionModel.itemVectors}, scores are their dot products (what `scoreBatch` computes).
   */
  async encodeBatch(inputs: Int32Array, count: number): Promise<Float32Array> {
    const out = tf.tidy(() => this.encode(tf.tensor2d(inputs, [count, this.cfg.maxLen], 'int32')))
    const data = (await out.data()) as Float32Array
    out.dispose()
    return data
  }

  /** Output vectors of every item [numItems + 1, dim] (row 0: padding; compact tables summed). */
  async itemVectors(): Promise<Float32Array> {
    const out = tf.tidy(() => this.itemMatrix())
    const data = (await out.data()) as Float32Array
    out.dispose()
    return data
  }

  /** Scores of every item (index 0 is padding) after the given prefixes, one row per prefix. */
  async scoreBatch(inputs: Int32Array, count: number): Promise<Float32Array> {
    const L = this.cfg.maxLen
    const out = tf.tidy(() => matMulBt(this.encode(tf.tensor2d(inputs, [count, L], 'int32')), this.itemMatrix()))
    const data = (await out.data()) as Float32Array
    out.dispose()
    const rep = await this.repeatWeights()
    if (rep !== null) {
      const n = this.cfg.numItems + 1
      for (let r = 0; r < count; r++) {
        for (const [item, bonus] of repeatBonus(inputs.subarray(r * L, r * L + L), L, rep)) data[r * n + item] += bonus
      }
    }
    return data
  }

  /** The current weights, flat, in layout order. */
  async getWeights(): Promise<Float32Array> {
    const out = new Float32Array(layoutSize(modelLayout(this.cfg)))
    let off = 0
    for (const v of this.vars) {
      const d = (await v.data()) as Float32Array
      out.set(d, off)
      off += d.length
    }
    return out
  }

  dispose(): void {
    for (const v of this.vars) v.dispose()
    this.itemCats.dispose()
    if (this.slotRows) tf.dispose([...this.slotRows])
    this.optimizer?.dispose()
    this.optimizer = null
    this.sparse?.reset()
  }
}
