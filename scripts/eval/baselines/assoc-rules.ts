/** Association-rules baseline: items most often clicked in the same session as the last click. */

import type { TrainData } from '../data.js'
import type { FitInfo, FitOptions } from '../recommender.js'
import { checkParams, intParam } from '../params.js'
import { buildTopRows, invertIndex, LastItemRows } from './sparse.js'

/**
 * AR (Ludewig et al. 2021, session-rec `baselines/ar.py`): rule weight(i → j) = number of ordered
 * pairs of distinct click positions (p, q) in the same training session with item i at p and
 * j at q, in either order ("bought together", counted per click, so a repeated click adds
 * weight and an item repeated within a session gets a self-rule, as in ar.py). Recommends by
 * weight(last click → j). Each item keeps its `prune` (default 20, ar.py's default) strongest
 * rules; since metrics are cut at 20 and rows are truncated in the ranking's (score, id) order,
 * pruning at ≥ 20 does not change any reported metric.
 * @example
 * const m = new AssociationRules(); await m.fit(train, opts); m.score(Int32Array.of(4), out)
 */
export class AssociationRules extends LastItemRows {
  readonly name = 'assoc-rules'

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, ['prune'])
    const prune = intParam(opts.params, 'prune', 20, 1)
    // Item → session, once per click of the item (so multiplicities count).
    const inv = invertIndex({ off: data.offsets, idx: data.items }, data.maxId)
    this.rows = buildTopRows(
      data.maxId,
      (i, acc, touched) => {
        let n = 0
        const occurrences = inv.off[i + 1]! - inv.off[i]!
        for (let q = inv.off[i]!; q < inv.off[i + 1]!; q++) {
          const s = inv.idx[q]!
          for (let p = data.offsets[s]!; p < data.offsets[s + 1]!; p++) {
            const j = data.items[p]!
            if (acc[j] === 0) touched[n++] = j
            acc[j]!++
          }
        }
        // Each occurrence of i paired itself once above: remove those (p = q) pairs.
        if (occurrences > 0) acc[i] = acc[i]! - occurrences
        if (n > 0 && i % 2048 === 0) opts.progress(i / data.maxId, 'rules')
        return n
      },
      (_i, _j, c) => c,
      prune,
    )
    this.known = data.seen
    return {
      modelBytes: this.rowBytes(),
      params: { prune },
    }
  }

}
