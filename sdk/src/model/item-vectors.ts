/** Per-item vectors read straight from the item table, in plain TS (no tfjs). */
import { itemSlots, slotsPerItem, type SessionModelConfig } from './config.js'

/**
 * Every item's table vector, [numItems + 1, dim] row-major (row 0: padding): the item's own row,
 * or with a compact table the sum of its rows. `table` is the `item_emb` tensor's values.
 * Category embeddings are not added (the scoring path adds them; similarity between items does
 * not need them).
 * @example itemTableVectors(cfg, weights.subarray(0, itemTableRows(cfg) * cfg.dim))
 */
export function itemTableVectors(cfg: SessionModelConfig, table: Float32Array): Float32Array {
  const d = cfg.dim
  if (slotsPerItem(cfg) === 1) return table
  const slots = itemSlots(cfg)
  const out = new Float32Array((cfg.numItems + 1) * d)
  for (let i = 1; i <= cfg.numItems; i++) {
    const a = slots[2 * i]! * d
    const b = slots[2 * i + 1]! * d
    for (let k = 0; k < d; k++) out[i * d + k] = table[a + k]! + table[b + k]!
  }
  return out
}
