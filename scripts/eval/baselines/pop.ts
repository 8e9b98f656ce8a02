/** POP baseline: the same popularity ranking for every session. */

import type { TrainData } from '../data.js'
import type { FitInfo, FitOptions, Recommender } from '../recommender.js'
import { checkParams, choiceParam } from '../params.js'
import { typedBytes } from './sparse.js'

/** What POP counts: next items (every click but a session's first) or every click. */
export type PopCount = 'next' | 'all'

/**
 * Item click counts. `next` counts the clicks that are somebody's next item, i.e. every click
 * except each session's first: exactly the training targets of the SR-GNN protocol (which
 * expands every training session into prefix → next-item cases), and what the independent
 * check in shared/README.md counts. `all` counts every click (session-rec's pop.py).
 * @example popularity(train, 'next')[42] // how often item 42 was clicked as a next item
 */
export function popularity(data: TrainData, count: PopCount): Float32Array {
  const pop = new Float32Array(data.maxId + 1)
  for (let s = 0; s < data.sessionCount; s++) {
    const from = data.offsets[s]! + (count === 'next' ? 1 : 0)
    for (let p = from; p < data.offsets[s + 1]!; p++) pop[data.items[p]!]!++
  }
  return pop
}

/**
 * POP: scores every item by its training popularity, whatever the session. Parameter
 * `count` = `next` (default) | `all`, see {@link popularity}.
 * @example
 * const m = new Pop(); await m.fit(train, opts); m.score(prefix, out)
 */
export class Pop implements Recommender {
  readonly name = 'pop'
  private pop: Float32Array = new Float32Array(1)

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, ['count'])
    const count = choiceParam(opts.params, 'count', ['next', 'all'] as const, 'next')
    this.pop = popularity(data, count)
    return { modelBytes: typedBytes(this.pop), params: { count } }
  }

  score(_prefix: Int32Array, out: Float32Array): void {
    out.set(this.pop.subarray(0, Math.min(this.pop.length, out.length)))
  }
}
