/** Item-kNN baseline: items most similar to the last click, by cosine of session co-occurrence. */

import type { TrainData } from '../data.js'
import type { FitInfo, FitOptions } from '../recommender.js'
import { checkParams, intParam } from '../params.js'
import { buildTopRows, distinctSessions, invertIndex, LastItemRows } from './sparse.js'

/**
 * Item-kNN (Sarwar et al. 2001; the Item-KNN row of SR-GNN Table 2, taken from Hidasi et al.
 * 2016): score(j) = cos(last, j) = |S_last ∩ S_j| / sqrt(|S_last| · |S_j|), where S_i is the set of
 * training sessions that contain item i. This is the definition the independent check in
 * shared/README.md uses. The last click itself is not recommended (an item is not its own
 * neighbour, as in session-rec `iknn.py` and GRU4Rec's ItemKNN); the remaining catalogue ties
 * at 0. `lambda` (default 0) adds the shrinkage of GRU4Rec's ItemKNN to the denominator.
 *
 * Each item keeps its `topn` (default 100) most similar items: exact for every metric cut at
 * ≤ 100, since rows are truncated in the ranking's own (score, id) order.
 * @example
 * const m = new ItemKnn(); await m.fit(train, opts); m.score(Int32Array.of(5, 9), out) // cos(9, ·)
 */
export class ItemKnn extends LastItemRows {
  readonly name = 'item-knn'

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, ['topn', 'lambda', 'self'])
    const topN = intParam(opts.params, 'topn', 100, 20)
    const lambda = intParam(opts.params, 'lambda', 0, 0)
    const self = intParam(opts.params, 'self', 0, 0) === 1
    const sess = distinctSessions(data)
    const inv = invertIndex(sess, data.maxId)
    // |S_i|: number of sessions holding item i.
    const support = new Float64Array(data.maxId + 1)
    for (let i = 1; i <= data.maxId; i++) support[i] = inv.off[i + 1]! - inv.off[i]!
    this.rows = buildTopRows(
      data.maxId,
      (i, acc, touched) => {
        let n = 0
        for (let q = inv.off[i]!; q < inv.off[i + 1]!; q++) {
          const s = inv.idx[q]!
          for (let p = sess.off[s]!; p < sess.off[s + 1]!; p++) {
            const j = sess.idx[p]!
            if (j === i && !self) continue
            if (acc[j] === 0) touched[n++] = j
            acc[j]!++
          }
        }
        if (n > 0 && i % 2048 === 0) opts.progress(i / data.maxId, 'similarities')
        return n
      },
      (i, j, c) => c / (Math.sqrt(support[i]! * support[j]!) + lambda),
      topN,
    )
    this.known = data.seen
    return {
      modelBytes: this.rowBytes(),
      params: { topn: topN, lambda, self },
    }
  }

}
