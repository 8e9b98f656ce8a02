/**
 * Repeat boosts ({@link SessionModelConfig.repeatBoost}) in plain TS: what an item already in
 * the session adds to its score. The tfjs model, the plain-TS scorer and the evaluation harness
 * all read them through {@link repeatBonus}.
 */
import type { SessionModelConfig } from './config.js'

/**
 * The repeat boost of every item of `context` (item rows, oldest first; 0 = padding, skipped):
 * of its last `maxLen` entries, the ones the model reads, each position an item holds adds
 * `boost`.
 * @example repeatBonus([4, 9, 4], 10, 2) // Map { 4 => 4, 9 => 2 }
 */
export function repeatBonus(context: ArrayLike<number>, maxLen: number, boost: number): Map<number, number> {
  const out = new Map<number, number>()
  if (boost === 0) return out
  for (let i = Math.max(0, context.length - maxLen); i < context.length; i++) {
    const item = context[i]!
    if (item > 0) out.set(item, (out.get(item) ?? 0) + boost)
  }
  return out
}

/** A config's repeat boost, 0 when it has none. */
export function repeatBoost(cfg: SessionModelConfig): number {
  return cfg.repeatBoost ?? 0
}
