/**
 * The session model: attention over the items of the current session (NARM / STAMP family,
 * Li et al. 2017; Liu et al. 2018) with item embeddings tied to the output layer. One definition,
 * trained by the browser worker and by the Node evaluation harness.
 * Training needs tfjs's gradient registry: bundles import
 * '@tensorflow/tfjs-core/dist/register_all_gradients' (see entrypoints/worker.ts); Node imports
 * '@tensorflow/tfjs', whose CommonJS build registers them (the registry is global).
 */
import * as tf from '@tensorflow/tfjs-core'
import { layoutSize, tensorSize } from '../../../aggregator/src/index.js'
import { modelLayout, type SessionModelConfig } from './config.js'
import type { Examples } from './examples.js'
import { mulberry32 } from './init-weights.js'

/** Local training options. */
export interface TrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  /** Seed of the example shuffle (training is otherwise deterministic per backend). */
  readonly seed: number
  /** Optional cap on the number of optimizer steps (whole run). */
  readonly maxSteps?: number
}

export const defaultTrainOptions = { epochs: 5, batchSize: 32, learningRate: 0.01, seed: 1 } satisfies TrainOptions

export interface TrainResult {
  /** Mean loss of each epoch. */
  readonly epochLosses: number[]
  readonly steps: number
}

/**
 * Row lookup. The gradient of `tf.gather` needs the UnsortedSegmentSum kernel, which the wasm
 * backend lacks (../shared/PLATFORM.md), so there we look up by one-hot × table instead.
 */
function lookup(table: tf.Tensor2D, idx: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.gather(table, idx)
  const flat = tf.reshape(idx, [-1]) as tf.Tensor1D
  const rows = tf.matMul(tf.cast(tf.oneHot(flat, table.shape[0]), 'float32'), table)
  return tf.reshape(rows, [...idx.shape, table.shape[1]])
}

/**
 * A trainable instance over a flat weight vector.
 * @example
 * const m = new SessionModel(cfg, weights)
 * await m.train(buildExamples(sessions, cfg.maxLen), defaultTrainOptions)
 * const delta = m.getWeights().map((w, i) => w - weights[i])
 * m.dispose()
 */
export class SessionModel {
  readonly vars: tf.Variable[]
  private readonly itemCats: tf.Tensor1D
  private optimizer: tf.Optimizer | null = null

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
    const cats = new Int32Array(cfg.numItems + 1)
    if (itemCategories) {
      for (let i = 0; i < Math.min(cats.length, itemCategories.length); i++) {
        const c = itemCategories[i]!
        cats[i] = c >= 0 && c <= cfg.numCategories ? c : 0
      }
    }
    this.itemCats = tf.tensor1d(cats, 'int32')
  }

  private get p() {
    const [itemEmb, catEmb, posEmb, attW1, attW2, attV, outW] = this.vars as [tf.Variable, ...tf.Variable[]]
    return { itemEmb, catEmb, posEmb, attW1, attW2, attV, outW } as Record<string, tf.Variable>
  }

  /** Item representations [numItems + 1, dim]: item embedding plus its category's embedding. */
  private itemMatrix(): tf.Tensor2D {
    const p = this.p
    return tf.add(p.itemEmb!, lookup(p.catEmb as tf.Tensor2D, this.itemCats)) as tf.Tensor2D
  }

  /** Logits over all items for a batch of right-aligned prefixes [batch, maxLen]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    const p = this.p
    const [b, len] = x.shape
    const d = this.cfg.dim
    const items = this.itemMatrix()
    const mask = tf.greater(x, 0) // [b, len]
    const pos = tf.slice(p.posEmb!, [this.cfg.maxLen - len, 0], [len, d])
    const emb = tf.add(lookup(items, x), pos) as tf.Tensor3D
    const last = tf.reshape(tf.slice(emb, [0, len - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D
    const k = tf.reshape(tf.matMul(tf.reshape(emb, [b * len, d]) as tf.Tensor2D, p.attW1 as tf.Tensor2D), [b, len, d])
    const q = tf.reshape(tf.matMul(last, p.attW2 as tf.Tensor2D), [b, 1, d])
    const gate = tf.reshape(tf.sigmoid(tf.add(k, q)), [b * len, d]) as tf.Tensor2D
    const e = tf.reshape(tf.matMul(gate, p.attV as tf.Tensor2D), [b, len])
    const masked = tf.where(mask, e, tf.fill([b, len], -1e9))
    const alpha = tf.reshape(tf.softmax(masked, 1), [b, len, 1])
    const s = tf.sum(tf.mul(alpha, emb), 1) as tf.Tensor2D
    const h = tf.matMul(tf.concat([s, last], 1), p.outW as tf.Tensor2D)
    return tf.matMul(h, items, false, true)
  }

  /** Mean softmax cross-entropy of predicting `y` from `x`. */
  loss(x: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
    const logits = this.logits(x)
    const lse = tf.logSumExp(logits, 1)
    const target = tf.sum(tf.mul(logits, tf.cast(tf.oneHot(y, this.cfg.numItems + 1), 'float32')), 1)
    return tf.mean(tf.sub(lse, target)) as tf.Scalar
  }

  /**
   * Trains on the examples with Adam, shuffling with a seeded generator. Mean loss per epoch.
   */
  async train(ex: Examples, opts: TrainOptions): Promise<TrainResult> {
    if (ex.maxLen !== this.cfg.maxLen) throw new Error(`examples use maxLen ${ex.maxLen}, the model ${this.cfg.maxLen}`)
    const epochLosses: number[] = []
    if (ex.count === 0) return { epochLosses, steps: 0 }
    this.optimizer ??= tf.train.adam(opts.learningRate)
    const rand = mulberry32(opts.seed)
    const order = Int32Array.from({ length: ex.count }, (_, i) => i)
    const L = ex.maxLen
    let steps = 0
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1))
        const t = order[i]!
        order[i] = order[j]!
        order[j] = t
      }
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
        const optimizer = this.optimizer
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

  /** Scores of every item (index 0 is padding) after the given prefixes, one row per prefix. */
  async scoreBatch(inputs: Int32Array, count: number): Promise<Float32Array> {
    const L = this.cfg.maxLen
    const out = tf.tidy(() => this.logits(tf.tensor2d(inputs, [count, L], 'int32')))
    const data = (await out.data()) as Float32Array
    out.dispose()
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
    this.optimizer?.dispose()
    this.optimizer = null
  }
}
