/** V-SKNN on a hand-computed example, and its validation tuning. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { fitOptions, scoresAfter } from '../testing.js'
import { SessionKnn } from './session-knn.js'

// Session index = recency (a higher line is more recent).
const train = parseTrainSessions('1 2 3\n2 4\n5 6\n1 4 7\n')

/**
 * Prefix [1, 2]: weights 1 → 1/2, 2 → 2/2. Candidates, most recent first: s3 (shares item 1 at
 * prefix position 1 of 2: dot 0.5, step 2), s1 (shares 2: dot 1, step 1), s0 (shares both: dot
 * 1.5, step 1). `dot` divides by the 2 distinct prefix items: similarities 0.25, 0.5, 0.75.
 */
describe('SessionKnn', () => {
  const fixed = (k: number, sample: number, similarity: string): Record<string, string> => ({
    k: String(k),
    sample: String(sample),
    similarity,
  })

  it('adds similarity / step of each neighbour to its items', async () => {
    const m = new SessionKnn()
    const info = await m.fit(train, fitOptions(fixed(10, 10, 'dot')))
    expect(info.params).toMatchObject({ k: 10, sample: 10, similarity: 'dot', tuned: false })
    const s = await scoresAfter(m, train, [1, 2])
    const want = [0, 0.75 + 0.125, 0.75 + 0.5, 0.75, 0.5 + 0.125, 0, 0, 0.125]
    want.forEach((w, i) => expect(s[i]).toBeCloseTo(w, 6))
  })

  it('keeps the k most similar of the `sample` most recent candidates', async () => {
    const m = new SessionKnn()
    await m.fit(train, fitOptions(fixed(2, 10, 'dot')))
    const s = await scoresAfter(m, train, [1, 2])
    ;[0, 0.75, 1.25, 0.75, 0.5, 0, 0, 0].forEach((w, i) => expect(s[i]).toBeCloseTo(w, 6))
    await m.fit(train, fitOptions(fixed(10, 1, 'dot')))
    const t = await scoresAfter(m, train, [1, 2])
    ;[0, 0.125, 0, 0, 0.125, 0, 0, 0.125].forEach((w, i) => expect(t[i]).toBeCloseTo(w, 6))
  })

  it('cosine divides by sqrt(prefix items × neighbour items)', async () => {
    const m = new SessionKnn()
    await m.fit(train, fitOptions(fixed(10, 10, 'cosine')))
    const s = await scoresAfter(m, train, [1, 2])
    const s0 = 1.5 / Math.sqrt(6)
    const s1 = 1 / Math.sqrt(4)
    const s3 = 0.5 / Math.sqrt(6) / 2
    expect(s[2]).toBeCloseTo(s0 + s1, 6)
    expect(s[7]).toBeCloseTo(s3, 6)
    expect(s[1]).toBeCloseTo(s0 + s3, 6)
  })

  it('scores nothing for a prefix of unknown items', async () => {
    const m = new SessionKnn()
    await m.fit(train, fitOptions(fixed(10, 10, 'dot')))
    expect((await scoresAfter(m, train, [99, 0])).every((x) => x === 0)).toBe(true)
  })

  it('tunes on a validation split of the training sessions when not given all parameters', async () => {
    const sessions = Array.from({ length: 60 }, (_, i) => [1 + (i % 5), 6 + (i % 5), 11 + (i % 5)].join(' '))
    const data = parseTrainSessions(sessions.join('\n') + '\n')
    const m = new SessionKnn()
    const info = await m.fit(data, fitOptions({}, true))
    expect(info.params).toMatchObject({ tuned: true })
    expect(info.params?.['validation_p20']).toBe(100)
    const s = await scoresAfter(m, data, [2])
    expect(s.indexOf(Math.max(...s))).toBe(2) // remind: the prefix item itself is scored too
    expect(s[7]).toBeGreaterThan(0)
  })
})
