/** S-POP baseline: items of the current session by how often it clicked them, then POP. */

import type { TrainData } from '../data.js'
import type { FitInfo, FitOptions, Recommender } from '../recommender.js'
import { popularity } from './pop.js'
import { checkParams, choiceParam } from '../params.js'
import { typedBytes } from './sparse.js'

/**
 * S-POP (session popularity, Ludewig et al. 2021 / session-rec `spop.py`): an item's score is
 * `count in the prefix × (maxPop + 1) + training popularity`, i.e. lexicographic order on (clicks
 * in this session, global popularity): the session's own items first, most-clicked first, ties
 * and the rest by POP. Scores stay exact in float32 while count × (maxPop + 1) < 2^24.
 * Parameter `count` = `next` (default) | `all`, as for POP.
 * @example
 * const m = new SPop(); await m.fit(train, opts); m.score(Int32Array.of(7, 7, 3), out)
 */
export class SPop implements Recommender {
  readonly name = 'spop'
  private pop: Float32Array = new Float32Array(1)
  private boost = 1
  private counts = new Int32Array(1)

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, ['count'])
    const count = choiceParam(opts.params, 'count', ['next', 'all'] as const, 'next')
    this.pop = popularity(data, count)
    let max = 0
    for (let i = 0; i < this.pop.length; i++) if (this.pop[i]! > max) max = this.pop[i]!
    this.boost = max + 1
    this.counts = new Int32Array(data.maxId + 1)
    return { modelBytes: typedBytes(this.pop), params: { count } }
  }

  score(prefix: Int32Array, out: Float32Array): void {
    const n = Math.min(this.pop.length, out.length)
    out.set(this.pop.subarray(0, n))
    const c = this.counts
    for (let p = 0; p < prefix.length; p++) {
      const id = prefix[p]!
      if (id > 0 && id < n) c[id]!++
    }
    for (let p = 0; p < prefix.length; p++) {
      const id = prefix[p]!
      if (id > 0 && id < n && c[id]! > 0) {
        out[id] = c[id]! * this.boost + this.pop[id]!
        c[id] = 0
      }
    }
  }
}
