/** Deterministic initial weights from a seed, computed in plain TS so Node and browser agree bit for bit. */
import { layoutSize, tensorSize } from '../../../aggregator/src/index.js'
import { modelLayout, REPEAT_TENSOR, type SessionModelConfig } from './config.js'

/** Mulberry32: a tiny seeded generator, fine for weight init (never used for DP noise). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Initial weights: normal(0, 1/√d)-scaled embeddings (row 0 of the item table, the padding, is
 * zero), Glorot-uniform matrices, zero repeat weights.
 * @example const w = initWeights(cfg, 42)
 */
export function initWeights(cfg: SessionModelConfig, seed: number): Float32Array {
  const rand = mulberry32(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const layout = modelLayout(cfg)
  const out = new Float32Array(layoutSize(layout))
  let off = 0
  for (const t of layout) {
    const n = tensorSize(t.shape)
    const [rows, cols] = [t.shape[0]!, t.shape[1] ?? 1]
    if (t.name === REPEAT_TENSOR) {
      // Repeat weights start at 0: no preference for the session's items until learned.
    } else if (t.name.endsWith('_emb')) {
      const std = t.name === 'item_emb' ? 1 / Math.sqrt(cfg.dim) : 0.1 / Math.sqrt(cfg.dim)
      for (let i = 0; i < n; i++) out[off + i] = normal() * std
      if (t.name === 'item_emb') out.fill(0, off, off + cols)
    } else {
      const limit = Math.sqrt(6 / (rows + cols))
      for (let i = 0; i < n; i++) out[off + i] = (rand() * 2 - 1) * limit
    }
    off += n
  }
  return out
}
