/** `gru`: a GRU4Rec-style next-item model (Hidasi et al. 2016) in tfjs, the seeds' RNN baseline. */

import * as tf from '@tensorflow/tfjs-core'
import { mulberry32, RowSparseTrainer, type RowSparseModel } from '../../../sdk/src/model/index.js'
import type { TrainData } from '../data.js'
import { checkParams } from '../params.js'
import type { FitInfo, FitOptions } from '../recommender.js'
import {
  itemIndex,
  NeuralRecommender,
  reportedParams,
  TRAIN_PARAM_KEYS,
  trainEpochs,
  trainingExamples,
  trainParams,
} from './neural.js'
import { nodeTf } from './tf-node.js'

/** Shapes of the GRU model. */
export interface GruConfig {
  readonly numItems: number
  readonly dim: number
  readonly maxLen: number
}

/**
 * One GRU layer over the item embeddings of the (right-aligned, left-padded) prefix; the last
 * hidden state scores the items through the same embedding table (tied output, as GRU4Rec's
 * "constrained embedding" option). Padding steps leave the state unchanged. Trained with the
 * same sampled softmax and row-sparse trainer as the session model, on the SR-GNN prefix
 * examples rather than GRU4Rec's session-parallel mini-batches (same targets, simpler batching).
 */
export class GruModel implements RowSparseModel {
  readonly itemTable: tf.Variable
  readonly denseVars: tf.Variable[]
  private readonly wx: tf.Variable
  private readonly wh: tf.Variable
  private readonly bias: tf.Variable

  constructor(
    readonly cfg: GruConfig,
    seed: number,
  ) {
    const rand = mulberry32(seed)
    const d = cfg.dim
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
    const table = new Float32Array((cfg.numItems + 1) * d)
    for (let i = d; i < table.length; i++) table[i] = normal() / Math.sqrt(d)
    const glorot = (rows: number, cols: number): tf.Variable => {
      const limit = Math.sqrt(6 / (rows + cols))
      const w = Float32Array.from({ length: rows * cols }, () => (rand() * 2 - 1) * limit)
      return tf.variable(tf.tensor2d(w, [rows, cols]))
    }
    this.itemTable = tf.variable(tf.tensor2d(table, [cfg.numItems + 1, d]))
    this.wx = glorot(d, 3 * d)
    this.wh = glorot(d, 3 * d)
    this.bias = tf.variable(tf.zeros([3 * d]))
    this.denseVars = [this.wx, this.wh, this.bias]
  }

  get numItems(): number {
    return this.cfg.numItems
  }

  /** GRU over item vectors `emb` [b, len, d]; `x` [b, len] marks padding with 0. */
  private run(emb: tf.Tensor3D, x: tf.Tensor2D): tf.Tensor2D {
    const [b, len] = x.shape
    const d = this.cfg.dim
    const xw = tf.add(tf.reshape(tf.matMul(tf.reshape(emb, [b * len, d]), this.wx), [b, len, 3 * d]), this.bias)
    let h = tf.zeros([b, d]) as tf.Tensor2D
    for (let t = 0; t < len; t++) {
      const xt = tf.reshape(tf.slice(xw, [0, t, 0], [b, 1, 3 * d]), [b, 3 * d])
      const hw = tf.matMul(h, this.wh)
      const [xr, xz, xn] = tf.split(xt, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
      const [hr, hz, hn] = tf.split(hw, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
      const r = tf.sigmoid(tf.add(xr, hr))
      const z = tf.sigmoid(tf.add(xz, hz))
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)))
      const next = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D
      const keep = tf.reshape(tf.greater(tf.slice(x, [0, t], [b, 1]), 0), [b, 1])
      h = tf.where(tf.broadcastTo(keep, [b, d]), next, h)
    }
    return h
  }

  encodeRows(rows: tf.Tensor2D, xLocal: tf.Tensor2D, xGlobal: tf.Tensor2D): tf.Tensor2D {
    return this.run(tf.gather(rows, xLocal) as unknown as tf.Tensor3D, xGlobal)
  }

  outputRows(rows: tf.Tensor2D): tf.Tensor2D {
    return rows
  }

  async encodeBatch(inputs: Int32Array, count: number): Promise<Float32Array> {
    const out = tf.tidy(() => {
      const x = tf.tensor2d(inputs, [count, this.cfg.maxLen], 'int32')
      return this.run(tf.gather(this.itemTable, x) as unknown as tf.Tensor3D, x)
    })
    const data = (await out.data()) as Float32Array
    out.dispose()
    return data
  }

  async itemVectors(): Promise<Float32Array> {
    return (await this.itemTable.data()) as Float32Array
  }

  /** Number of float32 weights. */
  get size(): number {
    return this.itemTable.size + this.denseVars.reduce((n, v) => n + v.size, 0)
  }
}

/** GRU4Rec-style baseline; the same training parameters as `fedrec-central`. */
export class Gru extends NeuralRecommender {
  readonly name = 'gru'

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, TRAIN_PARAM_KEYS)
    await nodeTf()
    const t = trainParams(opts)
    this.index = itemIndex(data)
    const model = new GruModel({ numItems: this.index.numItems, dim: t.dim, maxLen: t.maxLen }, t.seed)
    const ex = trainingExamples(data, this.index, t.maxLen)
    const trainer = new RowSparseTrainer(model)
    await trainEpochs((e, o) => trainer.train(e, o), ex, t, opts)
    await this.ready(model)
    return { modelBytes: 4 * model.size, params: reportedParams(t) }
  }
}
