/**
 * Repeat scores (config.ts `SessionModelConfig.repeat`) in plain TS: what an item already in the
 * session adds to its logit. The plain-TS scorer, `SessionModel.scoreBatch` and the evaluation
 * harness all read them through {@link repeatBonus}.
 */

/**
 * The repeat score of every item of `context` (item rows, oldest first; 0 = padding, skipped):
 * of its last `maxLen` entries, right-aligned as the model reads them, the item at position j
 * adds `weights[j]`, summed over the positions it holds.
 * @example repeatBonus([4, 9, 4], 4, [0.1, 0.2, 0.3, 0.4]) // Map { 4 => 0.2 + 0.4, 9 => 0.3 }
 */
export function repeatBonus(context: ArrayLike<number>, maxLen: number, weights: ArrayLike<number>): Map<number, number> {
  if (weights.length !== maxLen) throw new Error(`${weights.length} repeat weights for a model that reads ${maxLen} positions`)
  const out = new Map<number, number>()
  const start = Math.max(0, context.length - maxLen)
  const offset = maxLen - (context.length - start)
  for (let i = start; i < context.length; i++) {
    const item = context[i]!
    if (item > 0) out.set(item, (out.get(item) ?? 0) + weights[offset + i - start]!)
  }
  return out
}
