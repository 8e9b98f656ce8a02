/**
 * Ranking without tfjs: the session model's forward pass (sdk/src/model/session-model.ts,
 * `encode` and the tied output layer) in plain TypeScript over the flat weights. Scoring a few
 * hundred candidates this way takes well under a millisecond, and a page can rank from the model
 * cached in IndexedDB without downloading tfjs or initialising a backend; tfjs stays for training.
 * Parity with `SessionModel.logits` is tested in score-js.test.ts.
 */
import { layoutSize, tensorSize } from '../../../aggregator/src/index.js'
import { itemCategoryIndex, itemSlots, logitScale, modelLayout, NORM_EPS, parseModelConfig, REPEAT_TENSOR, selfAttentionBlocks, slotsPerItem, type SessionModelConfig } from '../model/config.js'
import { repeatBonus } from '../model/repeat.js'
import type { GlobalModel } from './model-cache.js'

/** Category index per model row (row 0 is padding), from the bundle's per-item categories. */
export function itemCategories(model: GlobalModel): number[] | undefined {
  const cats = model.bundle.description.categories
  return cats ? [0, ...cats] : undefined
}

/** Views of the model's tensors in the flat weight vector, by layout name. */
function tensorViews(cfg: SessionModelConfig, weights: Float32Array): ReadonlyMap<string, Float32Array> {
  const layout = modelLayout(cfg)
  const size = layoutSize(layout)
  if (weights.length !== size) throw new Error(`weights have ${weights.length} values, the model needs ${size}`)
  const views = new Map<string, Float32Array>()
  let off = 0
  for (const t of layout) {
    const n = tensorSize(t.shape)
    views.set(t.name, weights.subarray(off, off + n))
    off += n
  }
  return views
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

/**
 * The session model over one set of weights, read in place (nothing is copied): session vectors
 * of contexts and scores of item rows.
 * @example
 * const scorer = new SessionScorer(cfg, weights, categories)
 * const session = scorer.session([12, 40, 7])
 * const score = scorer.score(session, 40)
 */
export class SessionScorer {
  readonly cfg: SessionModelConfig
  private readonly t: ReadonlyMap<string, Float32Array>
  private readonly cats: Int32Array
  /** The item table rows of every item, `slots` per item (config.ts `itemSlots`). */
  private readonly rows: Int32Array
  private readonly slots: 1 | 2
  /** The config's cosine-logit scale (config.ts `logitScale`), 0 for dot products. */
  private readonly scale: number
  private readonly scratch: Float32Array

  constructor(cfg: SessionModelConfig, weights: Float32Array, itemCategories?: ArrayLike<number>) {
    this.cfg = cfg
    this.t = tensorViews(cfg, weights)
    this.cats = itemCategoryIndex(cfg, itemCategories)
    this.rows = itemSlots(cfg)
    this.slots = slotsPerItem(cfg)
    this.scale = logitScale(cfg)
    this.scratch = new Float32Array(cfg.dim)
  }

  private tensor(name: string): Float32Array {
    const v = this.t.get(name)
    if (!v) throw new Error(`the model has no ${name} tensor`)
    return v
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 1 || row > this.cfg.numItems) throw new RangeError(`item row ${row} is outside the model's 1…${this.cfg.numItems}`)
  }

  /**
   * The vector of item `row`, written into `out`: its item table row (with a compact table, the
   * sum of its rows) plus its category's embedding. Both the encoder's input for a clicked item
   * and the output layer's row for a candidate.
   */
  itemVector(row: number, out: Float32Array = new Float32Array(this.cfg.dim)): Float32Array {
    this.checkRow(row)
    const d = this.cfg.dim
    const table = this.tensor('item_emb')
    const cats = this.tensor('cat_emb')
    const co = this.cats[row]! * d
    for (let k = 0; k < d; k++) out[k] = cats[co + k]!
    for (let j = 0; j < this.slots; j++) {
      const to = this.rows[row * this.slots + j]! * d
      for (let k = 0; k < d; k++) out[k] = out[k]! + table[to + k]!
    }
    return out
  }

  /**
   * The session vector after `context` (item rows, oldest first; the model reads the last
   * `maxLen`): with self-attention blocks, those first; then additive attention of every
   * clicked item against the last one, then
   * [attended; last] projected back to `dim` (session-model.ts `attend`). Padding positions get
   * zero attention there, so only the context's own positions are computed here.
   */
  sessionVector(context: readonly number[]): Float32Array {
    const { dim: d, maxLen: L } = this.cfg
    const ctx = context.slice(-L)
    const n = ctx.length
    if (n === 0) throw new Error('a session vector needs at least one item in the context')
    const pos = this.tensor('pos_emb')
    const w1 = this.tensor('att_w1')
    const w2 = this.tensor('att_w2')
    const v = this.tensor('att_v')
    const outW = this.tensor('out_w')
    // Item vectors plus position embeddings; a context shorter than maxLen is right-aligned.
    const emb = new Float32Array(n * d)
    for (let j = 0; j < n; j++) {
      const row = emb.subarray(j * d, (j + 1) * d)
      this.itemVector(ctx[j]!, row)
      const po = (L - n + j) * d
      for (let k = 0; k < d; k++) row[k] = row[k]! + pos[po + k]!
    }
    for (let b = 0; b < selfAttentionBlocks(this.cfg); b++) this.selfAttend(emb, n, b)
    const last = emb.subarray((n - 1) * d, n * d)
    const q = matVec(last, w2, d, d)
    // Attention logits e_j = v · sigmoid(emb_j W1 + q), then a softmax over the positions.
    const e = new Float64Array(n)
    let max = -Infinity
    for (let j = 0; j < n; j++) {
      const kj = matVec(emb.subarray(j * d, (j + 1) * d), w1, d, d)
      let s = 0
      for (let c = 0; c < d; c++) s += v[c]! * sigmoid(kj[c]! + q[c]!)
      e[j] = s
      if (s > max) max = s
    }
    let z = 0
    for (let j = 0; j < n; j++) {
      e[j] = Math.exp(e[j]! - max)
      z += e[j]!
    }
    const attended = new Float64Array(d)
    for (let j = 0; j < n; j++) {
      const a = e[j]! / z
      for (let k = 0; k < d; k++) attended[k] = attended[k]! + a * emb[j * d + k]!
    }
    const out = new Float32Array(d)
    for (let c = 0; c < d; c++) {
      let s = 0
      for (let r = 0; r < d; r++) s += attended[r]! * outW[r * d + c]! + last[r]! * outW[(d + r) * d + c]!
      out[c] = s
    }
    if (this.scale > 0) {
      const f = this.scale / norm(out)
      for (let c = 0; c < d; c++) out[c] = out[c]! * f
    }
    return out
  }

  /**
   * Self-attention block `b` over the context's `n` item vectors `emb` [n, d], in place
   * (session-model.ts `selfAttend`): each vector adds the value vectors of the context,
   * weighted by the softmax of its query against their keys, scaled by 1/√d.
   */
  private selfAttend(emb: Float32Array, n: number, b: number): void {
    const d = this.cfg.dim
    const [wq, wk, wv] = (['q', 'k', 'v'] as const).map((m) => this.tensor(`sa${b}_${m}`))
    const proj = (w: Float32Array): Float64Array[] => Array.from({ length: n }, (_, j) => matVec(emb.subarray(j * d, (j + 1) * d), w, d, d))
    const [q, k, v] = [proj(wq!), proj(wk!), proj(wv!)] as [Float64Array[], Float64Array[], Float64Array[]]
    const scale = 1 / Math.sqrt(d)
    const weights = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      let max = -Infinity
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let c = 0; c < d; c++) s += q[i]![c]! * k[j]![c]!
        weights[j] = s * scale
        if (weights[j]! > max) max = weights[j]!
      }
      let z = 0
      for (let j = 0; j < n; j++) z += weights[j] = Math.exp(weights[j]! - max)
      for (let c = 0; c < d; c++) {
        let s = 0
        for (let j = 0; j < n; j++) s += (weights[j]! / z) * v[j]![c]!
        emb[i * d + c] = emb[i * d + c]! + s
      }
    }
  }

  /**
   * The session after `context` as {@link score} reads it: its vector and, with repeat scores
   * (config `repeat`), what each of its items adds (model/repeat.ts).
   */
  session(context: readonly number[]): Session {
    const rep = this.t.get(REPEAT_TENSOR)
    return { vector: this.sessionVector(context), repeat: rep === undefined ? EMPTY : repeatBonus(context, this.cfg.maxLen, rep) }
  }

  /**
   * The model's score of item row `row` after the session: a dot product with its item vector
   * (with cosine logits, the unit item vector: the session vector already carries the scale),
   * plus the item's repeat score when it is one of the session's items.
   */
  score(session: Session, row: number): number {
    const item = this.itemVector(row, this.scratch)
    const v = session.vector
    let s = 0
    for (let k = 0; k < this.cfg.dim; k++) s += v[k]! * item[k]!
    return (this.scale > 0 ? s / norm(item) : s) + (session.repeat.get(row) ?? 0)
  }
}

/** A session as the scorer scores it (see {@link SessionScorer.session}). */
export interface Session {
  readonly vector: Float32Array
  /** Item row → repeat score, for the session's items (empty without repeat scores). */
  readonly repeat: ReadonlyMap<number, number>
}

const EMPTY: ReadonlyMap<number, number> = new Map()

/** The L2 norm the tfjs model divides by (session-model.ts `outputNorm`). */
function norm(v: Float32Array): number {
  let s = 0
  for (let k = 0; k < v.length; k++) s += v[k]! * v[k]!
  return Math.sqrt(s + NORM_EPS)
}

/** x [rows] times M [rows, cols] (row-major), in double precision. */
function matVec(x: ArrayLike<number>, m: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols)
  for (let r = 0; r < rows; r++) {
    const xr = x[r]!
    if (xr === 0) continue
    const o = r * cols
    for (let c = 0; c < cols; c++) out[c] = out[c]! + xr * m[o + c]!
  }
  return out
}

/**
 * The scorer of a global model over `weights` (its own or a personal fine-tune of it).
 * @example const scorer = scorerFor(model, personal ?? model.bundle.weights)
 */
export function scorerFor(model: GlobalModel, weights: Float32Array): SessionScorer {
  return new SessionScorer(parseModelConfig(model.bundle.description.config), weights, itemCategories(model))
}
