/** Scores every test case with a trained model and accumulates the ranking metrics. */

import { prefixAt, type TestCases } from './data.js'
import { MAX_CUTOFF, MetricSums, rankOf, type Metrics, type RankDomain } from './metrics.js'
import type { Recommender } from './recommender.js'

/** The catalogue a model was trained on: ranked ids plus the score array size. */
export interface EvalDomain extends RankDomain {
  /** Score arrays have `maxId + 1` slots. */
  readonly maxId: number
}

/** Options of {@link evaluateCases}. */
export interface EvaluateOptions {
  /** Called now and then with (cases done, total). */
  readonly progress?: (done: number, total: number) => void
  /** Called with each case's index and the rank of its next item (Infinity beyond 20), e.g. to group the metrics (breakdown.ts). */
  readonly onRank?: (caseIndex: number, rank: number) => void
}

/**
 * Ranks each case's next item against the whole catalogue (see {@link rankOf} for ties) and
 * returns the metrics in percent. Uses `rankBatch`, else `scoreBatch`, when the model has them.
 * @example
 * const m = await evaluateCases(model, dataset.test, dataset.train)
 * m.p20 // e.g. 35.1
 */
export async function evaluateCases(
  model: Recommender,
  cases: TestCases,
  domain: EvalDomain,
  options: EvaluateOptions = {},
): Promise<Metrics> {
  const width = domain.maxId + 1
  const sums = new MetricSums()
  const total = cases.count
  const report = options.progress
  const every = Math.max(1, Math.floor(total / 200))
  const add = (c: number, rank: number): void => {
    sums.add(rank)
    options.onRank?.(c, rank)
  }
  if (model.rankBatch !== undefined) {
    const batch = Math.max(1, model.batchSize ?? 256)
    for (let start = 0; start < total; start += batch) {
      const end = Math.min(total, start + batch)
      const prefixes: Int32Array[] = []
      for (let c = start; c < end; c++) prefixes.push(prefixAt(cases, c))
      const ranks = await model.rankBatch(prefixes, cases.targets.subarray(start, end), MAX_CUTOFF)
      ranks.forEach((r, i) => add(start + i, r))
      report?.(end, total)
    }
  } else if (model.scoreBatch !== undefined) {
    const batch = Math.max(1, model.batchSize ?? 256)
    const buf = new Float32Array(batch * width)
    for (let start = 0; start < total; start += batch) {
      const end = Math.min(total, start + batch)
      const prefixes: Int32Array[] = []
      for (let c = start; c < end; c++) prefixes.push(prefixAt(cases, c))
      const used = buf.subarray(0, (end - start) * width)
      used.fill(0)
      await model.scoreBatch(prefixes, used)
      for (let c = start; c < end; c++) {
        const row = buf.subarray((c - start) * width, (c - start + 1) * width)
        add(c, rankOf(row, cases.targets[c]!, domain))
      }
      report?.(end, total)
    }
  } else {
    const scores = new Float32Array(width)
    for (let c = 0; c < total; c++) {
      scores.fill(0)
      model.score(prefixAt(cases, c), scores)
      add(c, rankOf(scores, cases.targets[c]!, domain))
      if (report !== undefined && (c + 1) % every === 0) report(c + 1, total)
    }
    report?.(total, total)
  }
  return sums.result()
}
