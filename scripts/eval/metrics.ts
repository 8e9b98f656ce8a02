/** Ranking metrics for next-item prediction: rank with deterministic ties, HR, MRR, NDCG. */

/** The largest cutoff any reported metric uses; ranks beyond it are not computed exactly. */
export const MAX_CUTOFF = 20

/** The ids that are ranked: the training catalogue. {@link TrainData} satisfies this. */
export interface RankDomain {
  /** Ranked ids, ascending. */
  readonly catalogue: Int32Array
  /** `seen[id] === 1` iff `id` is in `catalogue`. */
  readonly seen: Uint8Array
}

/**
 * A domain holding every id `1..n` (handy in tests).
 * @example rankOf(scores, 3, fullDomain(scores.length - 1))
 */
export function fullDomain(n: number): RankDomain {
  const catalogue = new Int32Array(n)
  const seen = new Uint8Array(n + 1)
  for (let i = 0; i < n; i++) {
    catalogue[i] = i + 1
    seen[i + 1] = 1
  }
  return { catalogue, seen }
}

/**
 * 1-based rank of `target` among the catalogue under the order "score descending, then item id
 * ascending", or `Infinity` when that rank exceeds `limit`, the target is not in the catalogue
 * (an item never seen in training is a miss), or its score is NaN or -Infinity.
 *
 * Ties: an item with the same score as the target is counted above it iff its id is smaller.
 * This is exactly the position the target would have in the top-K list a deployed recommender
 * would show after a stable sort by id, so the target gains nothing from a tie that a real list
 * would not give it (counting only strictly higher scores would give every tied item the best
 * rank, which flatters models that score many items equally, e.g. zero). Scores of ids outside
 * the catalogue are ignored.
 * @example
 * rankOf(Float32Array.of(0, 0.1, 0.9, 0.5), 3, fullDomain(3)) // 2
 */
export function rankOf(
  scores: Float32Array,
  target: number,
  domain: RankDomain,
  limit = MAX_CUTOFF,
): number {
  const { catalogue, seen } = domain
  if (target <= 0 || target >= seen.length || seen[target] !== 1) return Infinity
  if (target >= scores.length) throw new RangeError('score array shorter than the catalogue')
  const st = scores[target]!
  // NaN compares false with everything: treat it, and -Infinity ("impossible"), as a miss.
  if (!(st > -Infinity)) return Infinity
  let above = 0
  const n = catalogue.length
  if (n === seen.length - 1) {
    // Contiguous catalogue 1..n: no indirection (the common case, e.g. Diginetica).
    for (let j = 1; j < target; j++) if (scores[j]! >= st && ++above >= limit) return Infinity
    for (let j = target + 1; j <= n; j++) if (scores[j]! > st && ++above >= limit) return Infinity
  } else {
    for (let k = 0; k < n; k++) {
      const j = catalogue[k]!
      const s = scores[j]!
      if ((s > st || (s === st && j < target)) && ++above >= limit) return Infinity
    }
  }
  return above + 1
}

/** Metrics in percent over all cases, as the harness reports them. */
export interface Metrics {
  /** P@20 = HR@20 = Recall@20 (one relevant item per case), percent. */
  readonly p20: number
  /** Mean reciprocal rank, cut at 20 (0 beyond), percent. */
  readonly mrr20: number
  /** NDCG@20 with one relevant item: 1/log2(rank+1) if rank ≤ 20, percent. */
  readonly ndcg20: number
  readonly hr10: number
  readonly ndcg10: number
  readonly cases: number
}

/**
 * Sums per-case contributions; call {@link MetricSums.add} with each rank (Infinity = miss).
 * @example
 * const m = new MetricSums(); m.add(1); m.add(Infinity); m.result().p20 // 50
 */
export class MetricSums {
  private hit20 = 0
  private rr20 = 0
  private dcg20 = 0
  private hit10 = 0
  private dcg10 = 0
  private n = 0

  add(rank: number): void {
    this.n++
    if (rank > 20) return
    const gain = 1 / Math.log2(rank + 1)
    this.hit20++
    this.rr20 += 1 / rank
    this.dcg20 += gain
    if (rank <= 10) {
      this.hit10++
      this.dcg10 += gain
    }
  }

  result(): Metrics {
    const pct = (x: number): number => (this.n === 0 ? 0 : (100 * x) / this.n)
    return {
      p20: pct(this.hit20),
      mrr20: pct(this.rr20),
      ndcg20: pct(this.dcg20),
      hr10: pct(this.hit10),
      ndcg10: pct(this.dcg10),
      cases: this.n,
    }
  }
}
