/** Turns item sequences into (prefix → next item) training examples; pure, shared by SDK and eval. */

/** Right-aligned prefixes (0 = padding) and the item that followed each. */
export interface Examples {
  readonly maxLen: number
  /** count × maxLen item indices, the most recent item in the last column. */
  readonly inputs: Int32Array
  readonly targets: Int32Array
  readonly count: number
}

/**
 * Every prefix of every session predicts the item that came next (the SR-GNN protocol's
 * augmentation). Sessions shorter than two items give nothing.
 * @example buildExamples([[1, 2, 3]], 2) // prefixes [0,1]→2 and [1,2]→3
 */
export function buildExamples(sessions: readonly ArrayLike<number>[], maxLen: number): Examples {
  let count = 0
  for (const s of sessions) count += Math.max(0, s.length - 1)
  const inputs = new Int32Array(count * maxLen)
  const targets = new Int32Array(count)
  let k = 0
  for (const s of sessions) {
    for (let t = 1; t < s.length; t++, k++) {
      writePrefix(s, t, maxLen, inputs, k * maxLen)
      targets[k] = s[t]!
    }
  }
  return { maxLen, inputs, targets, count }
}

/** Writes items [0, end) of `s`, right-aligned, into `out` at `off` (maxLen slots). */
export function writePrefix(s: ArrayLike<number>, end: number, maxLen: number, out: Int32Array, off: number): void {
  const start = Math.max(0, end - maxLen)
  const pad = maxLen - (end - start)
  out.fill(0, off, off + pad)
  for (let i = start; i < end; i++) out[off + pad + i - start] = s[i]!
}

/**
 * Fisher–Yates shuffle of `order` in place with a seeded generator (the example order of an epoch).
 * @example shuffleInPlace(Int32Array.of(0, 1, 2), mulberry32(1))
 */
export function shuffleInPlace(order: Int32Array, rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
}
