/**
 * `--breakdown`: the metrics of each model on groups of test cases, by what the training data
 * holds about the case's next item. A repeat (the next item is already in the prefix) is one
 * group; every other case falls in a group by how many training sessions hold its next item.
 * This shows where a model's accuracy comes from: a model trained under client-level DP learns
 * an item's row only from sessions that hold it, each with a bounded, noised say, so its losses
 * against central training should sit in the groups of rarely seen items
 * (docs/results/validation/federated.md, "Where the private models lose").
 */

import { prefixAt, type TestCases, type TrainData } from './data.js'
import { MetricSums, type Metrics } from './metrics.js'

/** Lower bounds of the support groups (training sessions holding the next item): 0, 1–9, 10–29, 30–99, 100+. */
export const SUPPORT_BOUNDS = [0, 1, 10, 30, 100] as const

/** Test cases assigned to groups: `labels[of[c]]` is case c's group. */
export interface CaseGroups {
  readonly labels: readonly string[]
  /** Group index per case. */
  readonly of: Uint8Array
  /** Cases per group. */
  readonly counts: readonly number[]
}

/** A group's metrics (percent, over the group's cases). */
export interface GroupMetrics extends Metrics {
  readonly group: string
}

/** The group label of the support range starting at `SUPPORT_BOUNDS[i]`. */
function supportLabel(i: number): string {
  const lo = SUPPORT_BOUNDS[i]!
  const next = SUPPORT_BOUNDS[i + 1]
  if (lo === 0) return 'new, unseen in training'
  return next === undefined ? `new, in ${lo}+ sessions` : `new, in ${lo}–${next - 1} sessions`
}

/**
 * Number of training sessions that hold each item id at least once (`maxId + 1` slots).
 * @example sessionSupport(train)[5] // sessions in which item 5 was clicked
 */
export function sessionSupport(train: TrainData): Uint32Array {
  const support = new Uint32Array(train.maxId + 1)
  const lastSession = new Int32Array(train.maxId + 1).fill(-1)
  for (let s = 0; s < train.sessionCount; s++) {
    for (let i = train.offsets[s]!; i < train.offsets[s + 1]!; i++) {
      const item = train.items[i]!
      if (lastSession[item] === s) continue
      lastSession[item] = s
      support[item]!++
    }
  }
  return support
}

/**
 * Groups `cases`: group 0 the repeats (next item in the prefix), then one group per range of
 * {@link SUPPORT_BOUNDS} by the number of training sessions holding the next item.
 * @example
 * const g = supportGroups(ds.train, ds.test)
 * g.labels[g.of[0]!] // e.g. 'new, in 10–29 sessions'
 */
export function supportGroups(train: TrainData, cases: TestCases): CaseGroups {
  const support = sessionSupport(train)
  const labels = ['in the prefix', ...SUPPORT_BOUNDS.map((_, i) => supportLabel(i))]
  const of = new Uint8Array(cases.count)
  const counts = new Array<number>(labels.length).fill(0)
  for (let c = 0; c < cases.count; c++) {
    const target = cases.targets[c]!
    let g = 0
    if (!prefixAt(cases, c).includes(target)) {
      const n = target < support.length ? support[target]! : 0
      let i = SUPPORT_BOUNDS.length - 1
      while (n < SUPPORT_BOUNDS[i]!) i--
      g = 1 + i
    }
    of[c] = g
    counts[g]!++
  }
  return { labels, of, counts }
}

/**
 * Accumulates ranks per group; pass {@link GroupedSums.add} as `evaluateCases`' `onRank`.
 * @example
 * const sums = new GroupedSums(groups)
 * await evaluateCases(model, cases, train, { onRank: (c, r) => sums.add(c, r) })
 * sums.result() // one GroupMetrics per group
 */
export class GroupedSums {
  private readonly sums: MetricSums[]

  constructor(private readonly groups: CaseGroups) {
    this.sums = groups.labels.map(() => new MetricSums())
  }

  add(caseIndex: number, rank: number): void {
    this.sums[this.groups.of[caseIndex]!]!.add(rank)
  }

  result(): GroupMetrics[] {
    return this.sums.map((s, g) => ({ group: this.groups.labels[g]!, ...s.result() }))
  }
}

/**
 * The breakdown as a markdown table: one row per model, one column per group (its share of the
 * cases in the header), each cell P@20 / MRR@20.
 * @example console.log(breakdownTable(groups, [{ name: 'pop', groups: metrics }]))
 */
export function breakdownTable(groups: Pick<CaseGroups, 'labels' | 'counts'>, rows: readonly { readonly name: string; readonly groups: readonly GroupMetrics[] }[]): string {
  const total = groups.counts.reduce((a, b) => a + b, 0)
  const share = (n: number): string => (total === 0 ? '0' : ((100 * n) / total).toFixed(1))
  const head = `| model (P@20 / MRR@20) | ${groups.labels.map((l, g) => `${l} (${share(groups.counts[g]!)} %)`).join(' | ')} |`
  const rule = `|---|${groups.labels.map(() => '--:').join('|')}|`
  const cell = (m: Metrics): string => (m.cases === 0 ? '–' : `${m.p20.toFixed(2)} / ${m.mrr20.toFixed(2)}`)
  return [head, rule, ...rows.map((r) => `| ${r.name} | ${r.groups.map(cell).join(' | ')} |`)].join('\n')
}
