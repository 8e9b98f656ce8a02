/** S-POP: the session's own items first, by clicks in the session, then POP. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { fitOptions, scoresAfter } from '../testing.js'
import { SPop } from './spop.js'

const train = parseTrainSessions('1 2 3\n2 3\n1 2\n3 4\n')

describe('SPop', () => {
  it('ranks (clicks in this session, popularity) lexicographically', async () => {
    const m = new SPop()
    await m.fit(train, fitOptions())
    // next-item popularity [_, 0, 2, 2, 1], boost = 3: item 4 clicked twice → 2·3 + 1, item 1 once → 3 + 0
    expect(await scoresAfter(m, train, [4, 1, 4])).toEqual([0, 3, 2, 2, 7])
    // the per-query counts are reset: a second query is independent of the first
    expect(await scoresAfter(m, train, [2])).toEqual([0, 0, 5, 2, 1])
  })

  it('ignores ids outside the catalogue', async () => {
    const m = new SPop()
    await m.fit(train, fitOptions())
    expect(await scoresAfter(m, train, [99, 0])).toEqual([0, 0, 2, 2, 1])
  })
})
