/** Configuration and weight layout of the session model: pure data, no tfjs. */
import type { ModelLayout } from '../../../aggregator/src/index.js'

/** Hyper-parameters that fix the model's shapes. Serialised into every model bundle. */
export interface SessionModelConfig {
  /** Number of items; item indices run 1..numItems (0 is padding). */
  readonly numItems: number
  /** Embedding width. */
  readonly dim: number
  /** Longest session prefix the model reads (older events are dropped). */
  readonly maxLen: number
  /** Number of item categories (0 when the catalogue has none); row 0 is "unknown". */
  readonly numCategories: number
  /**
   * Compact item table (absent or 0: one row per item). Items are indexed in descending order
   * of popularity; items 1..ownRows keep a row of their own and every other item is the sum of
   * two rows drawn by two hash functions from `hashRows` shared rows: frequency-based double
   * hashing (Zhang et al. 2020, "Model Size Reduction Using Frequency Based Double Hashing for
   * Recommender Systems", RecSys; the hashing trick for embeddings: Weinberger et al. 2009).
   * It bounds the table, and so the download and every upload, whatever the catalogue's size.
   */
  readonly ownRows?: number
  /** Shared rows of the compact table; required (> 1) when `ownRows` is set. */
  readonly hashRows?: number
  /**
   * Cosine logits (absent or 0: plain dot products): the session vector and every output item
   * vector are L2-normalised and their dot product is multiplied by `scale`, as NISER does
   * (Gupta et al. 2019, "NISER: Normalized Item and Session Representations to Handle Popularity
   * Bias", arXiv:1909.04276). A dot product lets popular items grow long vectors and win every
   * list; the cosine ranks by direction, and the scale sets how peaked the softmax can get.
   */
  readonly scale?: number
  /**
   * Self-attention blocks before the readout (absent or 0: none). Each block lets every clicked
   * item attend to the session's other items (one head, scaled dot products, padding masked)
   * and adds what it gathers to the item's vector: X + softmax(XW_q (XW_k)ᵀ / √d) XW_v. The
   * readout then attends over these contextual vectors, as SR-GNN's readout does over its graph
   * network's (Wu et al. 2019) and SASRec's over its self-attention's (Kang & McAuley 2018).
   */
  readonly selfAttention?: number
  /**
   * Repeat scores (absent or false: none): an item already in the session adds a learned weight
   * per position it holds, `rep_w[j]` for the j-th of the last `maxLen` clicks, to its logit.
   * A fifth of Diginetica's next clicks are items of the session itself (9 % the very last
   * one; YooChoose 1/64: 27 % and 15 %); without repeat scores the model ranks them too low
   * (validation MRR@20 on those cases about 54 on Diginetica, where S-POP, which ranks the
   * session's items first, reaches about 67). The weights train with the rest of the model
   * (sampled softmax: the session's items are candidates of their own, sparse-train.ts), so
   * each shop's data sets them: a fixed boost of 4 tuned on Diginetica cost YooChoose 1/64
   * about 3 validation MRR@20 points, where learned weights gained 0.3–0.6 (docs/MODEL.md).
   * RepeatNet (Ren et al. 2019, AAAI) gives repeats a decoder of their own.
   */
  readonly repeat?: boolean
}

/**
 * Added under the square root of a cosine logit's norms, so that a zero vector (padding) stays
 * zero with a bounded gradient; negligible against trained vectors (norms near 1).
 */
export const NORM_EPS = 1e-6

/** The cosine-logit scale of a config, 0 when the model scores by plain dot products. */
export function logitScale(cfg: SessionModelConfig): number {
  return cfg.scale !== undefined && cfg.scale > 0 ? cfg.scale : 0
}

/** Whether the config shares table rows between items (see {@link SessionModelConfig.ownRows}). */
export function isCompact(cfg: SessionModelConfig): boolean {
  return cfg.ownRows !== undefined && cfg.ownRows > 0 && cfg.ownRows < cfg.numItems
}

/** Rows of the item table: padding + one per item, or padding + own + shared rows. */
export function itemTableRows(cfg: SessionModelConfig): number {
  return isCompact(cfg) ? 1 + cfg.ownRows! + cfg.hashRows! : cfg.numItems + 1
}

/** Table rows an item's vector sums: 1, or 2 with a compact table. */
export function slotsPerItem(cfg: SessionModelConfig): 1 | 2 {
  return isCompact(cfg) ? 2 : 1
}

/** 32-bit integer mix (the murmur3 finaliser): the same bits in every JS engine. */
function mix32(x: number): number {
  let h = x >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * The table rows of every item, [numItems + 1] × {@link slotsPerItem} (row-major). Slot value 0
 * is the padding row, which is zero and never trained: a popular item's second slot is 0, so
 * its vector is its own row. Pure and deterministic: the browser and Node agree.
 * @example itemSlots({ numItems: 3, dim: 2, maxLen: 2, numCategories: 0 }) // Int32Array [0, 1, 2, 3]
 */
export function itemSlots(cfg: SessionModelConfig): Int32Array {
  const n = cfg.numItems + 1
  if (!isCompact(cfg)) return Int32Array.from({ length: n }, (_, i) => i)
  const own = cfg.ownRows!
  const shared = cfg.hashRows!
  const out = new Int32Array(2 * n)
  for (let i = 1; i < n; i++) {
    if (i <= own) {
      out[2 * i] = i
      continue
    }
    const a = mix32(2 * i + 0x9e3779b9) % shared
    let b = mix32(2 * i + 1 + 0x7f4a7c15) % (shared - 1)
    if (b >= a) b++ // two distinct rows
    out[2 * i] = 1 + own + a
    out[2 * i + 1] = 1 + own + b
  }
  return out
}

/**
 * The category of every item, [numItems + 1] (index 0: padding), from per-row categories: a
 * category outside the model's 0..numCategories counts as unknown (0), as does a missing one.
 * The tfjs model and the plain-TS scorer read categories through this one function.
 * @example itemCategoryIndex({ numItems: 2, dim: 2, maxLen: 2, numCategories: 1 }, [0, 1, 7]) // Int32Array [0, 1, 0]
 */
export function itemCategoryIndex(cfg: SessionModelConfig, itemCategories?: ArrayLike<number>): Int32Array {
  const cats = new Int32Array(cfg.numItems + 1)
  if (!itemCategories) return cats
  for (let i = 0; i < Math.min(cats.length, itemCategories.length); i++) {
    const c = itemCategories[i]!
    cats[i] = c >= 0 && c <= cfg.numCategories ? c : 0
  }
  return cats
}

/**
 * The config the SDK ships for a catalogue: the last 10 items, 32 wide; up to
 * {@link COSINE_ABOVE} items a row per item scored by dot products; above it cosine logits
 * times {@link COMPACT_SCALE} and repeat scores for the session's own items, with a row per
 * item up to {@link COMPACT_OWN} + {@link COMPACT_SHARED} items and a compact table of that
 * many rows beyond: at most 1,440,032 table weights whatever the catalogue. Above 1M parameters the edge publishes the
 * table in int4 rows (aggregator `modelEncodingFor`), 896 KB gzipped with its ids for
 * Diginetica's 43,097 items, within the 1 MB download. Their whole update does not fit the
 * 128 KiB upload: the edge trains such a model in row-subset rounds
 * (aggregator/src/row-subset.ts). A row per item, the width and the scale were chosen on a
 * validation split of the full Diginetica training sessions (docs/MODEL.md; accuracy:
 * docs/RESULTS.md; bytes: docs/BENCHMARKS.md). With `private` (the model will train under
 * differential privacy) the rows of a catalogue above {@link COSINE_ABOVE} items are
 * {@link PRIVATE_DIM} wide instead.
 * @example catalogueConfig(194, 24).ownRows // undefined: small shops keep a row per item
 * @example catalogueConfig(43_097, 0, { private: true }).dim // 16
 */
export function catalogueConfig(numItems: number, numCategories: number, opts: CatalogueOptions = {}): SessionModelConfig {
  if (numItems <= COSINE_ABOVE) return { numItems, dim: CATALOGUE_DIM, maxLen: CATALOGUE_MAX_LEN, numCategories }
  const dim = opts.private === true ? PRIVATE_DIM : COMPACT_DIM
  const cosine = { numItems, dim, maxLen: CATALOGUE_MAX_LEN, numCategories, scale: COMPACT_SCALE, repeat: true }
  return numItems <= COMPACT_OWN + COMPACT_SHARED ? cosine : { ...cosine, ownRows: COMPACT_OWN, hashRows: COMPACT_SHARED }
}
export const CATALOGUE_DIM = 32
export const CATALOGUE_MAX_LEN = 10
/**
 * Largest catalogue scored by dot products without repeat scores; larger ones score by cosines
 * and repeat scores. Trained by devices (40 simulated rounds × 128 clients, held-out P@20 /
 * MRR@20), the cosine model was ahead on every subset of real data measured: Diginetica's 1,000
 * most clicked items 72.48 / 33.70 against 66.37 / 27.76 without noise and 37.23 / 26.83
 * against 32.37 / 23.12 at ε = 8, its 2,000 67.59 / 30.03 against 58.91 / 21.81, its 5,000
 * 58.22 / 26.35 against 46.07 / 14.88 (YooChoose 1/64's alike), and its 200 at ε = 8 84.49 /
 * 42.48 against 80.20 / 39.76 (a tie without noise, 92.08 / 48.50 against 91.75 / 47.80);
 * centrally it ties (docs/results/validation/federated.md, "The cosine model below 2,000
 * items" and "The cosine model with row scales"). The demo store (194 items) is the one
 * catalogue where it fell short: its shoppers' first personal fine-tunes, from a model that has
 * learned nothing yet, pull a cosine model less far (4 of 8 own-aisle items for the athlete where
 * test/walking-skeleton.test.ts asks for 5). So catalogues up to 200 items keep dot products.
 * It was 2,000 items until 2026-12-07 (and 7,500 before that), waiting for the personal
 * fine-tune's measurement on real data, where the cosine model's personal model keeps its lead
 * (docs/MODEL.md, "The personal fine-tune").
 */
export const COSINE_ABOVE = 200
export const COMPACT_DIM = 32
/**
 * Width of the rows of a catalogue above {@link COSINE_ABOVE} items when the model trains under
 * differential privacy (`catalogueConfig(n, c, { private: true })`): each device's update is clipped to one norm and
 * the server adds the same noise to every coordinate of the sum, so narrower rows carry more of
 * the signal per coordinate. At ε = 8 (held-out curves, 40 rounds × 128) 16 wide ended above 32
 * wide on full Diginetica (P@20 19.39 and 19.49 over two seeds against 17.24 and 17.45) and on
 * YooChoose 1/64 (MRR@20 17.36 against 14.19), and 8 wide where 16 did
 * (docs/results/validation/federated.md, "Model width under DP"); on both data sets' 5,000
 * most clicked items 16 wide ended above 32 wide as well (Diginetica 28.29 and 28.09 against
 * 26.97, YooChoose 1/64 35.74 against 33.68: "Mid-size catalogues"). Without noise 32 stays, as
 * chosen on the central validation runs (docs/MODEL.md).
 */
export const PRIVATE_DIM = 16

/** Options of {@link catalogueConfig}. */
export interface CatalogueOptions {
  /** The model will train with DP noise on its updates (the edge's noise multiplier above 0). */
  readonly private?: boolean
}
/**
 * Own and shared rows of the compact table, for catalogues of more than their sum (45,000) items:
 * as many rows as a row-per-item table of 45,000 items, which fits the download in int4 rows.
 * Not validated on data: neither shared data set is that large (docs/MODEL.md).
 */
export const COMPACT_OWN = 36_000
export const COMPACT_SHARED = 9_000
export const COMPACT_SCALE = 10

/**
 * Ordered tensors of the model. The flat weight vector a device trains and the server averages
 * is these tensors concatenated in this order.
 * @example modelLayout({ numItems: 10, dim: 4, maxLen: 5, numCategories: 0 })[0] // { name: 'item_emb', shape: [11, 4] }
 */
export function modelLayout(cfg: SessionModelConfig): ModelLayout {
  const d = cfg.dim
  return [
    { name: 'item_emb', shape: [itemTableRows(cfg), d] },
    { name: 'cat_emb', shape: [cfg.numCategories + 1, d] },
    { name: 'pos_emb', shape: [cfg.maxLen, d] },
    { name: 'att_w1', shape: [d, d] },
    { name: 'att_w2', shape: [d, d] },
    { name: 'att_v', shape: [d, 1] },
    { name: 'out_w', shape: [2 * d, d] },
    ...selfAttentionLayout(cfg),
    ...(cfg.repeat === true ? [{ name: REPEAT_TENSOR, shape: [cfg.maxLen] }] : []),
  ]
}

/** The tensor of the repeat weights ({@link SessionModelConfig.repeat}), one per position, last. */
export const REPEAT_TENSOR = 'rep_w'

/** Self-attention blocks of a config ({@link SessionModelConfig.selfAttention}), 0 when none. */
export function selfAttentionBlocks(cfg: SessionModelConfig): number {
  return cfg.selfAttention !== undefined && cfg.selfAttention > 0 ? cfg.selfAttention : 0
}

/** The query, key and value matrices of each self-attention block, after the other tensors. */
function selfAttentionLayout(cfg: SessionModelConfig): ModelLayout {
  const d = cfg.dim
  return Array.from({ length: selfAttentionBlocks(cfg) }, (_, i) =>
    (['q', 'k', 'v'] as const).map((m) => ({ name: `sa${i}_${m}`, shape: [d, d] })),
  ).flat()
}

/** Reads a config back from a model bundle's JSON, refusing anything that is not one. */
export function parseModelConfig(raw: Readonly<Record<string, unknown>>): SessionModelConfig {
  const num = (k: string): number => {
    const v = raw[k]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`model config field ${k} must be a non-negative integer`)
    return v
  }
  let base: SessionModelConfig = { numItems: num('numItems'), dim: num('dim'), maxLen: num('maxLen'), numCategories: num('numCategories') }
  if (raw.scale !== undefined) {
    const scale = raw.scale
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) throw new Error('model config field scale must be a finite number ≥ 0')
    base = { ...base, scale }
  }
  if (raw.selfAttention !== undefined) base = { ...base, selfAttention: num('selfAttention') }
  if (raw.repeat !== undefined) {
    if (typeof raw.repeat !== 'boolean') throw new Error('model config field repeat must be true or false')
    base = { ...base, repeat: raw.repeat }
  }
  if (raw.ownRows === undefined && raw.hashRows === undefined) return base
  const cfg = { ...base, ownRows: num('ownRows'), hashRows: num('hashRows') }
  if (isCompact(cfg) && cfg.hashRows < 2) throw new Error('model config field hashRows must be at least 2 with ownRows')
  return cfg
}
