/**
 * Sampled-softmax training with row-sparse updates of the item table, for catalogues too large
 * for a full softmax and a dense table update per step (43k items on tfjs's cpu backend: ~1 s
 * per step for Adam alone). Backend-agnostic: only the rows a batch touches enter tfjs.
 */
import * as tf from '@tensorflow/tfjs-core'
import { shuffleInPlace, type Examples } from './examples.js'
import { mulberry32 } from './init-weights.js'
import { matMul, matMulBt, softmaxCrossEntropy } from './train-ops.js'

/** A next-item model that {@link RowSparseTrainer} can train. */
export interface RowSparseModel {
  /** Items 1..numItems; item 0 and row 0 of the table are padding, never updated. */
  readonly numItems: number
  /** The item table [rows, dim], tied input/output embeddings (row 0: padding, zero). */
  readonly itemTable: tf.Variable
  /**
   * The table rows each item's vector sums, [numItems + 1] × `slotsPerItem`, row-major (a slot
   * of 0 adds the zero padding row). One slot with item i → row i is a row per item.
   */
  readonly itemSlots?: Int32Array
  readonly slotsPerItem?: 1 | 2
  /** Every other trainable variable (small: stepped by the trainer's Adam or SGD in plain JS). */
  readonly denseVars: readonly tf.Variable[]
  /**
   * Session vectors [b, dim] from right-aligned prefixes: `xLocal` [b, len] indexes `items`, the
   * batch's item vectors (0 = padding), `xGlobal` holds the same positions as item ids.
   * `dropMask` [b, len, dim], in training only, multiplies the encoder's input vectors
   * (inverted dropout: zeros and 1 / (1 − p)).
   */
  encodeRows(items: tf.Tensor2D, xLocal: tf.Tensor2D, xGlobal: tf.Tensor2D, dropMask?: tf.Tensor3D): tf.Tensor2D
  /** Output vectors of the items `ids` [n] whose table vectors are `items` [n, dim]. */
  outputRows(items: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D
  /**
   * Repeat weights [maxLen], one of the dense variables, when the model has repeat scores (an
   * item of the session adds the weight of each position it holds to its logit): the trainer
   * then scores each row's session items as candidates of their own, with those scores, and
   * the weights learn with the rest of the model.
   */
  readonly repeatVar?: tf.Variable | null
}

/** Options of {@link RowSparseTrainer.train}. */
export interface SparseTrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly seed: number
  readonly maxSteps?: number
  /** Negatives per batch, uniform over 1..numItems, shared by the batch. */
  readonly sampledNegatives: number
  readonly optimizer?: 'adam' | 'sgd'
  /** Called after every step with (steps done, steps this call will take). */
  readonly onStep?: (done: number, total: number) => void
  /**
   * Length bucketing: within windows of 64 batches of the shuffled examples, batch prefixes of
   * similar length together (then shuffle the batches), and feed each batch only as many
   * positions as its longest prefix. Padding positions change nothing in either encoder, so
   * this only changes which examples share a batch; it cuts the work of a step by the share
   * of padding (most SR-GNN prefixes are far shorter than maxLen).
   */
  readonly bucketByLength?: boolean
  /**
   * Mixed negative sampling (Yang et al. 2020, "Mixed Negative Sampling for Learning Two-tower
   * Neural Networks in Recommendations", WWW): the batch's other targets are negatives too, so
   * popular items (which uniform sampling rarely draws) are pushed apart from each other. Every
   * candidate's logit is then corrected by minus the log of its expected count in the sample,
   * `N / items + batch · p(item)` with p the item's share of the training targets (the logQ
   * correction of sampled softmax, Bengio & Senécal 2008; Yi et al. 2019, RecSys).
   */
  readonly inBatchNegatives?: boolean
  /**
   * Dropout on the encoder's input (item plus position vectors), the fraction of values zeroed
   * at each step (0 or absent: none). The mask comes from a generator seeded with `seed`, so a
   * run is as reproducible as without it. NISER and CORE train with dropout on the session's
   * item embeddings (Gupta et al. 2019; Hou et al. 2022, SIGIR).
   */
  readonly dropout?: number
}

/** Batches per bucketing window (see {@link SparseTrainOptions.bucketByLength}). */
const BUCKET_WINDOW = 64

/**
 * Start offsets (into `order`) of the epoch's batches; with bucketing, reorders `order` within
 * windows by prefix length (counting sort, stable) and shuffles the batch starts.
 */
function batchStarts(order: Int32Array, lengths: Uint8Array, maxLen: number, batchSize: number, bucket: boolean, rand: () => number): Int32Array {
  const count = order.length
  const starts = Int32Array.from({ length: Math.ceil(count / batchSize) }, (_, b) => b * batchSize)
  if (!bucket) return starts
  const window = batchSize * BUCKET_WINDOW
  const tmp = new Int32Array(Math.min(window, count))
  const at = new Int32Array(maxLen + 2)
  for (let w0 = 0; w0 < count; w0 += window) {
    const w1 = Math.min(count, w0 + window)
    at.fill(0)
    for (let i = w0; i < w1; i++) at[lengths[order[i]!]! + 1]!++
    for (let l = 1; l < at.length; l++) at[l] = at[l]! + at[l - 1]!
    for (let i = w0; i < w1; i++) tmp[at[lengths[order[i]!]!]!++] = order[i]!
    order.set(tmp.subarray(0, w1 - w0), w0)
  }
  shuffleInPlace(starts, rand)
  return starts
}

/**
 * log of every item's expected count in a batch's candidates under mixed negative sampling:
 * `negatives` uniform draws plus `batch` targets drawn from the training targets' distribution.
 * @example sampleLogCounts(ex, 4, 2, 8)[i] // log(2 / 4 + 8 · share of item i among ex's targets)
 */
export function sampleLogCounts(ex: Examples, numItems: number, negatives: number, batch: number): Float32Array {
  const counts = new Float64Array(numItems + 1)
  for (let e = 0; e < ex.count; e++) counts[ex.targets[e]!]!++
  const out = new Float32Array(numItems + 1)
  const uniform = negatives / numItems
  for (let i = 0; i <= numItems; i++) out[i] = Math.log(uniform + (batch * counts[i]!) / Math.max(1, ex.count))
  return out
}

/**
 * The logQ corrections of a batch: of its targets [n, 1] and of its candidates [1, N + n] (the
 * uniform negatives, then the targets again as in-batch negatives). Call inside a tidy.
 */
function logQTensors(logQ: Float32Array, negatives: Int32Array, targets: Int32Array): { pos: tf.Tensor2D; neg: tf.Tensor2D } {
  const t = pick(logQ, targets)
  return { pos: tf.tensor2d(t, [t.length, 1]), neg: tf.tensor2d([...pick(logQ, negatives), ...t], [1, negatives.length + t.length]) }
}

/** Logit offset of an accidental hit: far below any logit, so its softmax weight is 0. */
export const HIT_OFFSET = -1e9

/**
 * The accidental-hit offsets of a batch [n, N (+ n)]: {@link HIT_OFFSET} where the candidate (the
 * uniform negatives, then the in-batch targets when given) is the row's own target, or, with
 * `session` (its rows' items, n × L), one of the row's session items, which then compete in a
 * block of their own (see {@link repeatBlock}); 0 elsewhere. Built in plain JS: tfjs-backend-wasm's
 * broadcasting Equal took 53 ms for 256 × 768. Call inside a tidy.
 */
function accidentalHits(targets: Int32Array, negatives: Int32Array, inBatch: Int32Array | null, session: Int32Array | null): tf.Tensor2D {
  const n = targets.length
  const c = negatives.length + (inBatch?.length ?? 0)
  // The columns of each candidate item.
  const columns = new Map<number, number[]>()
  const add = (item: number, col: number): void => {
    const list = columns.get(item)
    if (list === undefined) columns.set(item, [col])
    else list.push(col)
  }
  negatives.forEach((item, k) => add(item, k))
  inBatch?.forEach((item, k) => add(item, negatives.length + k))
  const out = new Float32Array(n * c)
  const L = session === null ? 0 : session.length / n
  for (let r = 0; r < n; r++) {
    for (const col of columns.get(targets[r]!) ?? []) out[r * c + col] = HIT_OFFSET
    for (let j = 0; j < L; j++) {
      const item = session![r * L + j]!
      if (item > 0) for (const col of columns.get(item) ?? []) out[r * c + col] = HIT_OFFSET
    }
  }
  return tf.tensor2d(out, [n, c])
}

/**
 * The plain-JS parts of the repeat scores of a batch ({@link RowSparseModel.repeatVar}), for
 * prefixes `x` [n, L] (item ids, 0 = padding) and targets `y` [n]. Each row's session items
 * compete as candidates of their own, so each carries its repeat score: position j stands for
 * its item when the item is not the target and holds no later position (one candidate an item).
 * - `target` [n, L]: 1 where the prefix holds the target (its repeat score is `target · w`);
 * - `same` [n·L, L]: for a candidate position, 1 at every position holding its item (its repeat
 *   score is `same · w`);
 * - `offset` [n, L]: 0 for candidate positions, {@link HIT_OFFSET} for the others.
 * Call inside a tidy.
 */
function repeatBlock(x: Int32Array, y: Int32Array, L: number): { target: tf.Tensor2D; same: tf.Tensor2D; offset: tf.Tensor2D } {
  const n = y.length
  const { target, same, offset } = repeatBlockValues(x, y, L)
  return { target: tf.tensor2d(target, [n, L]), same: tf.tensor2d(same, [n * L, L]), offset: tf.tensor2d(offset, [n, L]) }
}

/**
 * The values of {@link repeatBlock}'s tensors, row-major: `target` n × L, `same` n·L × L, `offset` n × L.
 * @example repeatBlockValues(Int32Array.of(3, 5), Int32Array.of(3), 2).target // [1, 0]
 */
export function repeatBlockValues(x: Int32Array, y: Int32Array, L: number): { target: Float32Array; same: Float32Array; offset: Float32Array } {
  const n = y.length
  const target = new Float32Array(n * L)
  const same = new Float32Array(n * L * L)
  const offset = new Float32Array(n * L).fill(HIT_OFFSET)
  for (let r = 0; r < n; r++) {
    const o = r * L
    for (let j = 0; j < L; j++) {
      const item = x[o + j]!
      if (item === 0) continue
      if (item === y[r]) {
        target[o + j] = 1
        continue
      }
      let later = false
      for (let k = j + 1; k < L && !later; k++) later = x[o + k] === item
      if (later) continue
      offset[o + j] = 0
      for (let k = 0; k <= j; k++) if (x[o + k] === item) same[(o + j) * L + k] = 1
    }
  }
  return { target, same, offset }
}

/** `values` at `ids`. */
function pick(values: Float32Array, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length)
  for (let i = 0; i < ids.length; i++) out[i] = values[ids[i]!]!
  return out
}

/**
 * An inverted-dropout mask of `shape`: each value 0 with probability `p`, else 1 / (1 − p), drawn
 * from `rand` in plain JS (the same mask on every backend). Call inside a tidy.
 * @example dropoutMask([2, 3, 4], 0.1, mulberry32(1))
 */
export function dropoutMask(shape: [number, number, number], p: number, rand: () => number): tf.Tensor3D {
  const keep = 1 / (1 - p)
  const values = new Float32Array(shape[0] * shape[1] * shape[2])
  for (let i = 0; i < values.length; i++) values[i] = rand() < p ? 0 : keep
  return tf.tensor3d(values, shape)
}

const B1 = 0.9
const B2 = 0.999
const EPS = 1e-8

/**
 * Trains a {@link RowSparseModel}. Per batch: the distinct items of the prefixes, the targets and
 * the negatives are gathered from a plain-JS copy of the table, the loss (sampled softmax with
 * accidental hits masked, Jean et al. 2015) is differentiated with respect to those rows and the
 * dense variables, the dense ones are stepped by Adam and the rows by lazy Adam (the moments of
 * a row advance only when the row is in a batch, as TensorFlow's LazyAdamOptimizer and PyTorch's
 * SparseAdam do), or both by SGD, all in plain JS (the same arithmetic on every backend). The
 * table is written back to its variable at the end.
 * @example
 * const trainer = new RowSparseTrainer(model)
 * await trainer.train(examples, { epochs: 1, batchSize: 256, learningRate: 1e-3, seed: 1, sampledNegatives: 1024 })
 */
export class RowSparseTrainer {
  private m: Float32Array | null = null
  private v: Float32Array | null = null
  /** Adam's moments of the dense variables, in `denseVars` order. */
  private denseMoments: { m: Float32Array; v: Float32Array }[] | null = null
  private t = 0
  private kind = ''

  constructor(private readonly model: RowSparseModel) {}

  /** Forgets the optimizer state (e.g. after the weights were replaced). */
  reset(): void {
    this.m = null
    this.v = null
    this.denseMoments = null
    this.t = 0
  }

  /**
   * Trains for `opts.epochs` epochs. The optimizer's state carries over between calls with the
   * same optimizer kind, whatever their learning rates (a schedule changes the rate per call).
   */
  async train(ex: Examples, opts: SparseTrainOptions): Promise<{ epochLosses: number[]; steps: number }> {
    const epochLosses: number[] = []
    if (ex.count === 0) return { epochLosses, steps: 0 }
    const model = this.model
    const kind = opts.optimizer ?? 'adam'
    if (kind !== this.kind) {
      this.reset()
      this.kind = kind
    }
    const [rowsCount, d] = model.itemTable.shape as [number, number]
    const table = (await model.itemTable.data()) as Float32Array
    const W = Float32Array.from(table)
    // The dense variables' weights in plain JS too (read afresh: the model may have changed them).
    const denseW = await Promise.all(model.denseVars.map(async (v) => Float32Array.from((await v.data()) as Float32Array)))
    if (kind === 'adam' && this.m === null) {
      this.m = new Float32Array(W.length)
      this.v = new Float32Array(W.length)
      this.denseMoments = denseW.map((w) => ({ m: new Float32Array(w.length), v: new Float32Array(w.length) }))
    }
    const k = model.slotsPerItem ?? 1
    const slots = model.itemSlots ?? new Int32Array(0)
    const local = new Int32Array(model.numItems + 1).fill(-1)
    const localRow = k === 1 ? local : new Int32Array(rowsCount).fill(-1)
    const rand = mulberry32(opts.seed)
    const order = Int32Array.from({ length: ex.count }, (_, i) => i)
    const maxLen = ex.maxLen
    const N = opts.sampledNegatives
    const lengths = new Uint8Array(ex.count)
    for (let e = 0; e < ex.count; e++) {
      let pad = 0
      while (pad < maxLen && ex.inputs[e * maxLen + pad] === 0) pad++
      lengths[e] = maxLen - pad
    }
    const inBatch = opts.inBatchNegatives === true
    const repeatVar = model.repeatVar ?? null
    const dropout = opts.dropout ?? 0
    if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1), not ${dropout}`)
    const dropRand = mulberry32(opts.seed ^ 0x0d50_0d50)
    const logQ = inBatch ? sampleLogCounts(ex, model.numItems, N, opts.batchSize) : null
    let steps = 0
    const perEpoch = Math.ceil(ex.count / opts.batchSize)
    const total = Math.min(opts.maxSteps ?? Infinity, perEpoch * opts.epochs)
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      shuffleInPlace(order, rand)
      let sum = 0
      let batches = 0
      const bucket = opts.bucketByLength === true
      for (const start of batchStarts(order, lengths, maxLen, opts.batchSize, bucket, rand)) {
        if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break
        const n = Math.min(opts.batchSize, ex.count - start)
        // Positions fed to the encoder: the batch's longest prefix (all of them unbucketed).
        let L = bucket ? 1 : maxLen
        for (let r = 0; r < n && L < maxLen; r++) L = Math.max(L, lengths[order[start + r]!]!)
        // Distinct rows of the batch; local row 0 is the padding row.
        const ids: number[] = [0]
        local[0] = 0
        const toLocal = (id: number): number => {
          if (local[id]! < 0) {
            local[id] = ids.length
            ids.push(id)
          }
          return local[id]!
        }
        const xg = new Int32Array(n * L)
        const xl = new Int32Array(n * L)
        const yl = new Int32Array(n)
        const yg = new Int32Array(n)
        for (let r = 0; r < n; r++) {
          const e = order[start + r]!
          for (let c = 0; c < L; c++) {
            const id = ex.inputs[e * maxLen + maxLen - L + c]!
            xg[r * L + c] = id
            xl[r * L + c] = toLocal(id)
          }
          yg[r] = ex.targets[e]!
          yl[r] = toLocal(ex.targets[e]!)
        }
        const negG = new Int32Array(N)
        const negL = new Int32Array(N)
        for (let k = 0; k < N; k++) {
          negG[k] = 1 + Math.floor(rand() * model.numItems)
          negL[k] = toLocal(negG[k]!)
        }
        // Table rows of the batch's items (the same list as the items with a row per item).
        let rows = ids
        const itemRowsLocal = k === 1 ? null : new Int32Array(ids.length * k)
        if (itemRowsLocal !== null) {
          rows = [0]
          localRow[0] = 0
          for (let u = 0; u < ids.length; u++) {
            for (let s = 0; s < k; s++) {
              const row = slots[ids[u]! * k + s]!
              if (localRow[row]! < 0) {
                localRow[row] = rows.length
                rows.push(row)
              }
              itemRowsLocal[s * ids.length + u] = localRow[row]!
            }
          }
          for (const row of rows) localRow[row] = -1
        }
        for (const id of ids) local[id] = -1
        const U = rows.length
        const rowsData = new Float32Array(U * d)
        for (let u = 0; u < U; u++) rowsData.set(W.subarray(rows[u]! * d, rows[u]! * d + d), u * d)

        const rowsInit = tf.tensor2d(rowsData, [U, d])
        const rowsVar = tf.variable(rowsInit, true)
        rowsInit.dispose()
        const { lossValue, rowGrad, denseGradTensors, has } = tf.tidy(() => {
          const x = tf.tensor2d(xl, [n, L], 'int32')
          const xG = tf.tensor2d(xg, [n, L], 'int32')
          const y = tf.tensor1d(yl, 'int32')
          const yG = tf.tensor1d(yg, 'int32')
          const ng = tf.tensor1d(negL, 'int32')
          const nG = tf.tensor1d(negG, 'int32')
          const dropMask = dropout > 0 ? dropoutMask([n, L, d], dropout, dropRand) : undefined
          const slotIdx = itemRowsLocal === null ? null : tf.tensor2d(itemRowsLocal, [k, ids.length], 'int32')
          // With mixed negatives: the batch's targets as negatives, every logit logQ-corrected.
          const cands = logQ === null ? nG : tf.concat([nG, yG])
          const candsLocal = logQ === null ? ng : tf.concat([ng, y])
          const lq = logQ === null ? null : logQTensors(logQ, negG, yg)
          // Accidental hits (a candidate that is the row's own target) drop out of the softmax.
          // With repeat scores the row's session items drop out of the shared candidates too:
          // they compete in a block of their own, each with its repeat score (repeatBlock).
          const inBatchTargets = logQ === null ? null : yg
          const repeat = repeatVar === null ? null : repeatBlock(xg, yg, L)
          const hits = accidentalHits(yg, negG, inBatchTargets, repeat === null ? null : xg)
          const firstColumn = tf.zeros([n], 'int32') as tf.Tensor1D // each row's target logit comes first
          const f = (): tf.Scalar => {
            // The batch's item vectors: the rows themselves, or the sum of each item's rows.
            const items = (slotIdx === null ? rowsVar : tf.sum(tf.gather(rowsVar, slotIdx), 0)) as tf.Tensor2D
            const h = model.encodeRows(items, x, xG, dropMask)
            let pos: tf.Tensor = tf.sum(tf.mul(h, model.outputRows(tf.gather(items, y) as tf.Tensor2D, yG)), 1, true)
            const negOut = model.outputRows(tf.gather(items, candsLocal) as tf.Tensor2D, cands as tf.Tensor1D)
            let negLogits: tf.Tensor = tf.add(matMulBt(h, negOut), hits)
            if (lq !== null) {
              pos = tf.sub(pos, lq.pos)
              negLogits = tf.sub(negLogits, lq.neg)
            } else if (repeat !== null) {
              // Each uniform negative stands for numItems / N items, while the session's items are
              // candidates for sure: without this correction the softmax would weigh the session
              // against N items instead of the catalogue, and push the repeat weights down (a
              // federated client's 64 negatives drove them below 0; Bengio & Senécal 2008).
              negLogits = tf.add(negLogits, Math.log(model.numItems / N))
            }
            if (repeat === null) return softmaxCrossEntropy(tf.concat([pos, negLogits], 1) as tf.Tensor2D, firstColumn)
            // Repeat scores, learned with everything else: the target adds the weights of the
            // positions it holds, and each of the row's other session items is a candidate with
            // its similarity plus its own positions' weights. The target and the session items
            // are in every row's candidates by construction, so they take no logQ correction.
            const w = tf.reshape(tf.slice(repeatVar!, [maxLen - L], [L]), [L, 1]) as tf.Tensor2D
            const sessOut = tf.reshape(model.outputRows(tf.gather(items, tf.reshape(x, [-1])) as tf.Tensor2D, tf.reshape(xG, [-1]) as tf.Tensor1D), [n, L, d])
            const sessSim = tf.sum(tf.mul(tf.reshape(h, [n, 1, d]), sessOut), 2)
            const sessLogits = tf.add(tf.add(sessSim, tf.reshape(matMul(repeat.same, w), [n, L])), repeat.offset)
            const logits = tf.concat([tf.add(pos, matMul(repeat.target, w)), negLogits, sessLogits], 1)
            return softmaxCrossEntropy(logits as tf.Tensor2D, firstColumn)
          }
          const { value, grads } = tf.variableGrads(f, [rowsVar, ...model.denseVars])
          // A variable the loss does not reach has no gradient: an empty placeholder, read as none.
          const has = model.denseVars.map((v) => grads[v.name] !== undefined)
          return { lossValue: value, rowGrad: grads[rowsVar.name]!, denseGradTensors: model.denseVars.map((v) => grads[v.name] ?? tf.zeros([0])), has }
        })
        // Read back asynchronously: on WebGPU a synchronous read (dataSync) of the dense gradients
        // aborted the worker's next asynchronous read ("A valid external Instance reference no
        // longer exists", SwiftShader, test/backends.test.ts).
        const g = (await rowGrad.data()) as Float32Array
        const denseRead = await Promise.all(denseGradTensors.map(async (t) => (await t.data()) as Float32Array))
        const denseGrads = denseRead.map((r, i) => (has[i] ? r : undefined))
        sum += (await lossValue.data())[0]!
        tf.dispose([rowGrad, lossValue, rowsVar, ...denseGradTensors])
        this.step(W, rows, g, d, denseW, denseGrads, kind, opts.learningRate)
        batches++
        steps++
        opts.onStep?.(steps, total)
      }
      if (batches > 0) epochLosses.push(sum / batches)
    }
    tf.tidy(() => model.itemTable.assign(tf.tensor2d(W, [rowsCount, d])))
    return { epochLosses, steps }
  }

  /**
   * One optimizer step: lazy Adam (or SGD) on the rows of this batch (row 0, the padding, stays
   * zero) and Adam (or SGD) on the dense variables, whose new values are written back.
   */
  private step(W: Float32Array, ids: readonly number[], g: Float32Array, d: number, denseW: Float32Array[], denseG: (Float32Array | undefined)[], kind: string, lr: number): void {
    const adam = kind !== 'sgd'
    if (adam) this.t++
    const step = adam ? (lr * Math.sqrt(1 - B2 ** this.t)) / (1 - B1 ** this.t) : lr
    for (let u = 1; u < ids.length; u++) {
      const o = ids[u]! * d
      if (adam) adamUpdate(W, this.m!, this.v!, o, g, u * d, d, step)
      else for (let k = 0; k < d; k++) W[o + k] -= lr * g[u * d + k]!
    }
    this.model.denseVars.forEach((variable, i) => {
      const gi = denseG[i]
      if (gi === undefined) return
      const w = denseW[i]!
      if (adam) adamUpdate(w, this.denseMoments![i]!.m, this.denseMoments![i]!.v, 0, gi, 0, w.length, step)
      else for (let k = 0; k < w.length; k++) w[k] -= lr * gi[k]!
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape)))
    })
  }
}

/**
 * Adam on `n` weights of `w` from offset `o` with gradients `g` from `go`: moments `m`, `v` at the
 * same offsets; `step` is the bias-corrected learning rate of this step.
 */
function adamUpdate(w: Float32Array, m: Float32Array, v: Float32Array, o: number, g: Float32Array, go: number, n: number, step: number): void {
  for (let k = 0; k < n; k++) {
    const gi = g[go + k]!
    const mi = (m[o + k] = B1 * m[o + k]! + (1 - B1) * gi)
    const vi = (v[o + k] = B2 * v[o + k]! + (1 - B2) * gi * gi)
    w[o + k] -= (step * mi) / (Math.sqrt(vi) + EPS)
  }
}
