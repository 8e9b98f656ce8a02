/** Association rules: ordered co-click pairs with the last item, counted per click. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { fitOptions, scoresAfter } from '../testing.js'
import { AssociationRules } from './assoc-rules.js'

const train = parseTrainSessions('1 2 3\n2 3\n1 2\n2 5 2\n')

describe('AssociationRules', () => {
  it('counts pairs of distinct click positions, repeats included', async () => {
    const m = new AssociationRules()
    await m.fit(train, fitOptions())
    // rules from 2: with 1 in s0 and s2 (2), with 3 in s0 and s1 (2), with 5 twice in s3 (one per
    // click of 2), with itself twice in s3 (positions 0→2 and 2→0)
    expect(await scoresAfter(m, train, [2])).toEqual([0, 2, 2, 2, 0, 2])
    expect(await scoresAfter(m, train, [5])).toEqual([0, 0, 2, 0, 0, 0])
    expect(await scoresAfter(m, train, [3, 1])).toEqual([0, 0, 2, 1, 0, 0])
  })

  it('keeps the strongest `prune` rules per item, ties to the smaller id', async () => {
    const m = new AssociationRules()
    await m.fit(train, fitOptions({ prune: '2' }))
    expect(await scoresAfter(m, train, [2])).toEqual([0, 2, 2, 0, 0, 0])
  })
})
