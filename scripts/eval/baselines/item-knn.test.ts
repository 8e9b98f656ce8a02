/** Item-kNN: cosine of session co-occurrence with the last click. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { fitOptions, scoresAfter } from '../testing.js'
import { ItemKnn } from './item-knn.js'

// Sessions holding each item: 1 → {s0, s2}, 2 → {s0, s1, s2}, 3 → {s0, s1, s3}, 4 → {s3}
const train = parseTrainSessions('1 2 3 2\n2 3\n1 2\n3 4\n')

describe('ItemKnn', () => {
  it('scores cos(last, j) = |S_last ∩ S_j| / sqrt(|S_last| |S_j|), the last item excluded', async () => {
    const m = new ItemKnn()
    await m.fit(train, fitOptions())
    const s = await scoresAfter(m, train, [4, 2])
    expect(s[1]).toBeCloseTo(2 / Math.sqrt(6), 6)
    expect(s[3]).toBeCloseTo(2 / 3, 6)
    expect(s[2]).toBe(0)
    expect(s[4]).toBe(0)
    const t = await scoresAfter(m, train, [4])
    expect(t[3]).toBeCloseTo(1 / Math.sqrt(3), 6)
    expect(t[1]).toBe(0)
  })

  it('falls back to the last known click and keeps topn rows', async () => {
    const m = new ItemKnn()
    const info = await m.fit(train, fitOptions({ topn: '20', lambda: '1' }))
    expect(info.params).toEqual({ topn: 20, lambda: 1, self: false })
    const s = await scoresAfter(m, train, [2, 77])
    expect(s[3]).toBeCloseTo(2 / (3 + 1), 6)
  })
})
