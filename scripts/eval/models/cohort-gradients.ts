/**
 * One round of clients that each hold one session and take one local step (FedSGD, McMahan et
 * al. 2017; with a server optimiser, Reddi et al. 2021): each client's update is minus the
 * gradient of its session's loss at the published model, clipped to L2 norm C by the
 * aggregator's `clipInPlace`. The loss is the devices' (sdk/src/model/sparse-train.ts with
 * repeat scores): every prefix of the session predicts its next item against the session's own
 * items (with their repeat scores) and `negatives` uniform items drawn for the session, each
 * logit + log(items / negatives), accidental hits masked.
 *
 * The whole cohort is differentiated in one batch, with per-session gradients exact: every
 * weight a session reaches is a leaf of its own (the session's input rows per example, its
 * targets' rows, its negatives' rows, and a copy of each dense tensor per session, gathered
 * per example), so the batch gradient with respect to a leaf is that session's gradient alone.
 * The model is the browser's (SessionModel's encoder, written here with per-session copies of
 * its weights; cohort-gradients.test.ts checks both against each other). Supported: a row per
 * item, no categories (the shared data sets have none; the category table is not trained),
 * no self-attention blocks, cosine logits with repeat scores, as `catalogueConfig` ships above
 * 200 items.
 */

import * as tf from '@tensorflow/tfjs-core'
import { clipInPlace, l2Norm, layoutSize, tensorSize } from '../../../aggregator/src/index.js'
import { logitScale, modelLayout, NORM_EPS, selfAttentionBlocks, type SessionModelConfig } from '../../../sdk/src/model/config.js'
import { buildExamples } from '../../../sdk/src/model/index.js'
import { HIT_OFFSET, repeatBlockValues } from '../../../sdk/src/model/sparse-train.js'

/** Options of {@link clippedCohortSum}. */
export interface CohortOptions {
  /** Uniform negatives drawn per session. */
  readonly negatives: number
  /** L2 clip norm C of each client's update (0: unclipped). */
  readonly clipNorm: number
  /** Whether a table row is in this round's update (the round's row subset); all rows when absent. */
  readonly rowInRound?: (row: number) => boolean
  readonly rand: () => number
  /** Sessions differentiated together (memory bound; results do not depend on it). */
  readonly chunk?: number
}

/** What a cohort sends, summed. */
export interface CohortSum {
  /** Σ of the clients' clipped updates (minus their gradients), in the model's layout. */
  readonly sum: Float64Array
  /** Clients with at least one example (sessions of two items or more). */
  readonly clients: number
  /** Clients whose update the clip scaled down. */
  readonly clipped: number
  /** The clients' update norms before clipping. */
  readonly norms: Float32Array
}

/** Offsets of the model's tensors in a flat weight vector, by name. */
function offsets(cfg: SessionModelConfig): Map<string, number> {
  const out = new Map<string, number>()
  let off = 0
  for (const t of modelLayout(cfg)) {
    out.set(t.name, off)
    off += tensorSize(t.shape)
  }
  return out
}

/** Throws unless {@link clippedCohortSum} supports `cfg` (see the module comment). */
export function checkCohortConfig(cfg: SessionModelConfig): void {
  const why =
    cfg.ownRows !== undefined ? 'a compact table (ownRows)'
    : cfg.numCategories > 0 ? 'categories'
    : selfAttentionBlocks(cfg) > 0 ? 'self-attention blocks'
    : cfg.repeat !== true || logitScale(cfg) === 0 ? 'a model without cosine logits and repeat scores'
    : null
  if (why !== null) throw new RangeError(`one-step clients (algorithm=fedsgd) do not support ${why}`)
}

/** The flat weights' tensor `name` as a Float32Array view. */
function view(cfg: SessionModelConfig, w: Float32Array, at: Map<string, number>, name: string): Float32Array {
  const t = modelLayout(cfg).find((l) => l.name === name)!
  return w.subarray(at.get(name)!, at.get(name)! + tensorSize(t.shape))
}

/** A chunk of sessions as right-aligned examples with their session index. */
interface Chunk {
  readonly n: number
  readonly S: number
  readonly L: number
  readonly x: Int32Array
  readonly y: Int32Array
  readonly sessOf: Int32Array
  readonly neg: Int32Array
}

function chunkOf(sessions: readonly Int32Array[], maxLen: number, N: number, numItems: number, rand: () => number): Chunk {
  const ex = buildExamples(sessions, maxLen)
  const sessOf = new Int32Array(ex.count)
  let e = 0
  sessions.forEach((s, i) => {
    for (let t = 1; t < s.length; t++) sessOf[e++] = i
  })
  // Positions fed to the encoder: the chunk's longest prefix.
  let L = 1
  for (let k = 0; k < ex.count && L < maxLen; k++) {
    let pad = 0
    while (pad < maxLen && ex.inputs[k * maxLen + pad] === 0) pad++
    L = Math.max(L, maxLen - pad)
  }
  const x = new Int32Array(ex.count * L)
  for (let k = 0; k < ex.count; k++) x.set(ex.inputs.subarray(k * maxLen + maxLen - L, (k + 1) * maxLen), k * L)
  const neg = new Int32Array(sessions.length * N)
  for (let i = 0; i < neg.length; i++) neg[i] = 1 + Math.floor(rand() * numItems)
  return { n: ex.count, S: sessions.length, L, x, y: ex.targets, sessOf, neg }
}

/**
 * The plain-JS masks of a chunk: `negMask` [n, N] (HIT_OFFSET where a session negative is the
 * example's target or one of its prefix items) and the repeat block as the SDK trainer builds it.
 */
function masks(c: Chunk, N: number): { negMask: Float32Array; target: Float32Array; same: Float32Array; offset: Float32Array } {
  const { n, L, x, y, neg, sessOf } = c
  const negMask = new Float32Array(n * N)
  for (let r = 0; r < n; r++) {
    const s = sessOf[r]!
    for (let k = 0; k < N; k++) {
      const item = neg[s * N + k]!
      let hit = item === y[r]
      for (let j = 0; j < L && !hit; j++) hit = x[r * L + j] === item
      if (hit) negMask[r * N + k] = HIT_OFFSET
    }
  }
  return { negMask, ...repeatBlockValues(x, y, L) }
}

/** Unit rows (cosine): v / √(|v|² + NORM_EPS) over the last axis, times `scale`. */
function unit(v: tf.Tensor, scale = 1): tf.Tensor {
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(v), -1, true), NORM_EPS))
  return tf.mul(tf.div(v, norm), scale)
}

/** The per-session leaves' gradients of one chunk, read back. */
interface ChunkGrads {
  readonly gIn: Float32Array
  readonly gTgt: Float32Array
  readonly gNeg: Float32Array
  readonly gPos: Float32Array
  readonly gW1: Float32Array
  readonly gW2: Float32Array
  readonly gV: Float32Array
  readonly gOut: Float32Array
  readonly gRep: Float32Array
}

async function chunkGradients(cfg: SessionModelConfig, w: Float32Array, c: Chunk, N: number): Promise<ChunkGrads> {
  const d = cfg.dim
  const maxLen = cfg.maxLen
  const at = offsets(cfg)
  const table = view(cfg, w, at, 'item_emb')
  const cat0 = view(cfg, w, at, 'cat_emb').subarray(0, d)
  const { n, S, L, x, y, sessOf, neg } = c
  const rowsOf = (ids: Int32Array): Float32Array => {
    const out = new Float32Array(ids.length * d)
    for (let i = 0; i < ids.length; i++) out.set(table.subarray(ids[i]! * d, ids[i]! * d + d), i * d)
    return out
  }
  const tile = (src: Float32Array, times: number): Float32Array => {
    const out = new Float32Array(src.length * times)
    for (let i = 0; i < times; i++) out.set(src, i * src.length)
    return out
  }
  const pos = view(cfg, w, at, 'pos_emb').subarray((maxLen - L) * d, maxLen * d)
  const rep = view(cfg, w, at, 'rep_w').subarray(maxLen - L, maxLen)
  const m = masks(c, N)
  const scale = logitScale(cfg)
  const logCorrection = Math.log(cfg.numItems / N)
  const out = tf.tidy(() => {
    const leaves = [
      tf.tensor3d(rowsOf(x), [n, L, d]),
      tf.tensor2d(rowsOf(y), [n, d]),
      tf.tensor3d(rowsOf(neg), [S, N, d]),
      tf.tensor3d(tile(pos, S), [S, L, d]),
      tf.tensor3d(tile(view(cfg, w, at, 'att_w1'), S), [S, d, d]),
      tf.tensor3d(tile(view(cfg, w, at, 'att_w2'), S), [S, d, d]),
      tf.tensor3d(tile(view(cfg, w, at, 'att_v'), S), [S, d, 1]),
      tf.tensor3d(tile(view(cfg, w, at, 'out_w'), S), [S, 2 * d, d]),
      tf.tensor2d(tile(rep, S), [S, L]),
    ]
    const idx = tf.tensor1d(sessOf, 'int32')
    const c0 = tf.tensor1d(cat0)
    const realMask = tf.tensor2d(Uint8Array.from(x, (v) => (v > 0 ? 1 : 0)), [n, L], 'bool')
    const negMask = tf.tensor2d(m.negMask, [n, N])
    const target = tf.tensor2d(m.target, [n, L])
    const same = tf.tensor3d(m.same, [n, L, L])
    const offset = tf.tensor2d(m.offset, [n, L])
    const f = (inRows: tf.Tensor, tgtRows: tf.Tensor, negRows: tf.Tensor, posE: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, v: tf.Tensor, outW: tf.Tensor, repW: tf.Tensor): tf.Tensor => {
      // SessionModel.attend with this session's copy of each weight.
      const added = tf.add(tf.add(inRows, c0), tf.gather(posE, idx))
      const last = tf.slice(added, [0, L - 1, 0], [n, 1, d])
      const k = tf.matMul(added, tf.gather(w1, idx))
      const q = tf.matMul(last, tf.gather(w2, idx))
      const gate = tf.sigmoid(tf.add(k, q))
      const e = tf.reshape(tf.matMul(gate, tf.gather(v, idx)), [n, L])
      const masked = tf.where(realMask, e, tf.fill([n, L], -1e9))
      const alpha = tf.reshape(tf.softmax(masked, 1), [n, L, 1])
      const s = tf.sum(tf.mul(alpha, added), 1)
      const cat = tf.reshape(tf.concat([s, tf.reshape(last, [n, d])], 1), [n, 1, 2 * d])
      const h = unit(tf.reshape(tf.matMul(cat, tf.gather(outW, idx)), [n, d]), scale)
      const out = (r: tf.Tensor): tf.Tensor => unit(tf.add(r, c0))
      const wE = tf.gather(repW, idx) // [n, L]
      const posLogit = tf.add(tf.sum(tf.mul(h, out(tgtRows)), 1, true), tf.sum(tf.mul(target, wE), 1, true))
      const negOut = out(tf.gather(negRows, idx)) // [n, N, d]
      const negLogits = tf.add(tf.add(tf.reshape(tf.matMul(negOut, tf.reshape(h, [n, d, 1])), [n, N]), negMask), logCorrection)
      const sessSim = tf.sum(tf.mul(tf.reshape(h, [n, 1, d]), out(inRows)), 2)
      const sessRep = tf.reshape(tf.matMul(same, tf.reshape(wE, [n, L, 1])), [n, L])
      const sessLogits = tf.add(tf.add(sessSim, sessRep), offset)
      const logits = tf.concat([posLogit, negLogits, sessLogits], 1)
      // Σ over examples of the cross-entropy of the target (column 0).
      return tf.sum(tf.sub(tf.logSumExp(logits, 1), tf.reshape(tf.slice(logits, [0, 0], [n, 1]), [n])))
    }
    return tf.grads(f)(leaves)
  })
  const read = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array))
  tf.dispose(out)
  const [gIn, gTgt, gNeg, gPos, gW1, gW2, gV, gOut, gRep] = read
  return { gIn: gIn!, gTgt: gTgt!, gNeg: gNeg!, gPos: gPos!, gW1: gW1!, gW2: gW2!, gV: gV!, gOut: gOut!, gRep: gRep! }
}

/**
 * The sum of the cohort's clipped one-step updates (see the module comment), with the
 * aggregator's `clipInPlace` applied to each client's update as a device sends it: the rows of
 * the round (`rowInRound`) its session reached, then every dense tensor.
 * @example const { sum, clipped } = await clippedCohortSum(cfg, published, chosen, { negatives: 64, clipNorm: 1, rand })
 */
export async function clippedCohortSum(cfg: SessionModelConfig, weights: Float32Array, sessions: readonly Int32Array[], o: CohortOptions): Promise<CohortSum> {
  checkCohortConfig(cfg)
  const d = cfg.dim
  const maxLen = cfg.maxLen
  const N = o.negatives
  const at = offsets(cfg)
  const sum = new Float64Array(layoutSize(modelLayout(cfg)))
  const live = sessions.filter((s) => s.length >= 2)
  const norms = new Float32Array(live.length)
  const slot = new Int32Array(cfg.numItems + 1).fill(-1)
  let clipped = 0
  const chunkSize = o.chunk ?? 1024
  for (let c0 = 0; c0 < live.length; c0 += chunkSize) {
    const c = chunkOf(live.slice(c0, c0 + chunkSize), maxLen, N, cfg.numItems, o.rand)
    const g = await chunkGradients(cfg, weights, c, N)
    const { L } = c
    // Each dense tensor's part of a session's update: its gradient, where the session's slice
    // starts there (per session s: at s · len), the tensor, and where the slice goes in it.
    const dense: [grad: Float32Array, len: number, name: string, at: number][] = [
      [g.gPos, L * d, 'pos_emb', (maxLen - L) * d],
      [g.gW1, d * d, 'att_w1', 0],
      [g.gW2, d * d, 'att_w2', 0],
      [g.gV, d, 'att_v', 0],
      [g.gOut, 2 * d * d, 'out_w', 0],
      [g.gRep, L, 'rep_w', maxLen - L],
    ]
    const denseSize = dense.reduce((a, [, len]) => a + len, 0)
    let e = 0
    for (let s = 0; s < c.S; s++) {
      // The session's table rows: item → its accumulated gradient.
      const items: number[] = []
      const rows: Float32Array[] = []
      const acc = (item: number, src: Float32Array, off: number): void => {
        if (item <= 0 || (o.rowInRound !== undefined && !o.rowInRound(item))) return
        if (slot[item]! < 0) {
          slot[item] = items.length
          items.push(item)
          rows.push(new Float32Array(d))
        }
        const r = rows[slot[item]!]!
        for (let k = 0; k < d; k++) r[k] = r[k]! + src[off + k]!
      }
      for (; e < c.n && c.sessOf[e] === s; e++) {
        for (let j = 0; j < L; j++) acc(c.x[e * L + j]!, g.gIn, (e * L + j) * d)
        acc(c.y[e]!, g.gTgt, e * d)
      }
      for (let k = 0; k < N; k++) acc(c.neg[s * N + k]!, g.gNeg, (s * N + k) * d)
      for (const item of items) slot[item] = -1
      // The update a device sends: minus the gradient, its rows then its dense tensors.
      const u = new Float32Array(items.length * d + denseSize)
      rows.forEach((r, i) => u.set(r, i * d))
      let off = items.length * d
      for (const [grad, len] of dense) {
        u.set(grad.subarray(s * len, (s + 1) * len), off)
        off += len
      }
      for (let i = 0; i < u.length; i++) u[i] = -u[i]!
      if (o.clipNorm > 0) {
        const r = clipInPlace(u, o.clipNorm)
        norms[c0 + s] = r.norm
        if (r.scale < 1) clipped++
      } else norms[c0 + s] = l2Norm(u)
      // Into the model's layout.
      const tableAt = at.get('item_emb')!
      items.forEach((item, i) => {
        for (let k = 0; k < d; k++) sum[tableAt + item * d + k] += u[i * d + k]!
      })
      let p = items.length * d
      for (const [, len, name, from] of dense) {
        const base = at.get(name)! + from
        for (let k = 0; k < len; k++) sum[base + k] += u[p + k]!
        p += len
      }
    }
  }
  return { sum, clients: live.length, clipped, norms }
}
