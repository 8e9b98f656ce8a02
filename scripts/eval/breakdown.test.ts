/** The `--breakdown` groups: support counts, the grouping, per-group metrics and the table. */

import { describe, expect, it } from 'vitest'
import { breakdownTable, GroupedSums, sessionSupport, SUPPORT_BOUNDS, supportGroups } from './breakdown.js'
import { parseTestCases, parseTrainSessions } from './data.js'

/** 12 sessions: item 1 in all twelve (twice in the first), item 2 in ten, item 3 in one, item 4 in none. */
const train = parseTrainSessions(['1 1 2', ...Array.from({ length: 9 }, () => '1 2'), '1 3', '1 5'].join('\n') + '\n')

describe('sessionSupport', () => {
  it('counts the sessions holding an item, once per session', () => {
    const s = sessionSupport(train)
    expect(Array.from(s)).toEqual([0, 12, 10, 1, 0, 1])
  })
})

describe('supportGroups', () => {
  it('puts repeats first, then new next items by the sessions holding them', () => {
    // Cases: 2 after "2 1" is a repeat; 2 after 1 is new (10 sessions); 3 (1 session);
    // 4 and 9 never occur in training (9 is beyond the largest id); 1 after 3 (12 sessions).
    const cases = parseTestCases('2 1\t2\n1\t2\n1\t3\n1\t4\n1\t9\n3\t1\n')
    const g = supportGroups(train, cases)
    expect(g.labels).toEqual([
      'in the prefix',
      'new, unseen in training',
      'new, in 1–9 sessions',
      'new, in 10–29 sessions',
      'new, in 30–99 sessions',
      'new, in 100+ sessions',
    ])
    expect(g.labels).toHaveLength(SUPPORT_BOUNDS.length + 1)
    expect(Array.from(g.of)).toEqual([0, 3, 2, 1, 1, 3])
    expect(g.counts).toEqual([1, 2, 1, 2, 0, 0])
  })
})

describe('GroupedSums', () => {
  it('splits the ranks by group; the groups weighted by their cases give the overall metrics', () => {
    const cases = parseTestCases('2 1\t2\n1\t2\n1\t3\n1\t4\n')
    const sums = new GroupedSums(supportGroups(train, cases))
    const ranks = [1, 4, Infinity, 25]
    ranks.forEach((r, c) => sums.add(c, r))
    const byGroup = sums.result()
    expect(byGroup.map((m) => [m.group, m.cases, m.p20])).toEqual([
      ['in the prefix', 1, 100],
      ['new, unseen in training', 1, 0],
      ['new, in 1–9 sessions', 1, 0],
      ['new, in 10–29 sessions', 1, 100],
      ['new, in 30–99 sessions', 0, 0],
      ['new, in 100+ sessions', 0, 0],
    ])
    expect(byGroup[3]!.mrr20).toBe(25)
    const weighted = byGroup.reduce((a, m) => a + m.p20 * m.cases, 0) / ranks.length
    expect(weighted).toBe(50)
  })
})

describe('breakdownTable', () => {
  it('has a column per group with its share, and a dash for an empty group', () => {
    const cases = parseTestCases('2 1\t2\n1\t2\n')
    const groups = supportGroups(train, cases)
    const sums = new GroupedSums(groups)
    sums.add(0, 1)
    sums.add(1, 2)
    const table = breakdownTable(groups, [{ name: 'spop', groups: sums.result() }])
    const [head, rule, row] = table.split('\n')
    expect(head).toBe(
      '| model (P@20 / MRR@20) | in the prefix (50.0 %) | new, unseen in training (0.0 %) | new, in 1–9 sessions (0.0 %) | ' +
        'new, in 10–29 sessions (50.0 %) | new, in 30–99 sessions (0.0 %) | new, in 100+ sessions (0.0 %) |',
    )
    expect(rule).toBe('|---|--:|--:|--:|--:|--:|--:|')
    expect(row).toBe('| spop | 100.00 / 100.00 | – | – | 100.00 / 50.00 | – | – |')
  })
})
