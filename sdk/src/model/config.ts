/** Configuration and weight layout of the session model: pure data, no tfjs. */
import type { ModelLayout } from '../../../aggregator/src/index.js'

/** Hyper-parameters that fix the model's shapes. Serialised into every model bundle. */
export interface SessionModelConfig {
  /** Number of items; rows of the item table are numItems + 1 (row 0 is padding). */
  readonly numItems: number
  /** Embedding width. */
  readonly dim: number
  /** Longest session prefix the model reads (older events are dropped). */
  readonly maxLen: number
  /** Number of item categories (0 when the catalogue has none); row 0 is "unknown". */
  readonly numCategories: number
}

/**
 * Ordered tensors of the model. The flat weight vector a device trains and the server averages
 * is these tensors concatenated in this order.
 * @example modelLayout({ numItems: 10, dim: 4, maxLen: 5, numCategories: 0 })[0] // { name: 'item_emb', shape: [11, 4] }
 */
export function modelLayout(cfg: SessionModelConfig): ModelLayout {
  const d = cfg.dim
  return [
    { name: 'item_emb', shape: [cfg.numItems + 1, d] },
    { name: 'cat_emb', shape: [cfg.numCategories + 1, d] },
    { name: 'pos_emb', shape: [cfg.maxLen, d] },
    { name: 'att_w1', shape: [d, d] },
    { name: 'att_w2', shape: [d, d] },
    { name: 'att_v', shape: [d, 1] },
    { name: 'out_w', shape: [2 * d, d] },
  ]
}

/** Reads a config back from a model bundle's JSON, refusing anything that is not one. */
export function parseModelConfig(raw: Readonly<Record<string, unknown>>): SessionModelConfig {
  const num = (k: string): number => {
    const v = raw[k]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`model config field ${k} must be a non-negative integer`)
    return v
  }
  return { numItems: num('numItems'), dim: num('dim'), maxLen: num('maxLen'), numCategories: num('numCategories') }
}
