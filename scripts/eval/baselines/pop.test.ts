/** POP on a hand-counted fixture. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { fitOptions, scoresAfter } from '../testing.js'
import { Pop, popularity } from './pop.js'

const train = parseTrainSessions('1 2 3\n2 3\n1 2\n3 4\n')

describe('Pop', () => {
  it('counts next-item clicks by default, every click with count=all', () => {
    expect(Array.from(popularity(train, 'next'))).toEqual([0, 0, 2, 2, 1])
    expect(Array.from(popularity(train, 'all'))).toEqual([0, 2, 3, 3, 1])
  })

  it('scores every prefix the same', async () => {
    const m = new Pop()
    const info = await m.fit(train, fitOptions())
    expect(info.params).toEqual({ count: 'next' })
    expect(info.modelBytes).toBe(5 * 4)
    expect(await scoresAfter(m, train, [4])).toEqual([0, 0, 2, 2, 1])
    expect(await scoresAfter(m, train, [1, 2])).toEqual([0, 0, 2, 2, 1])
  })

  it('rejects unknown parameters and values', async () => {
    await expect(new Pop().fit(train, fitOptions({ cuont: 'all' }))).rejects.toThrow(/no parameter 'cuont'/)
    await expect(new Pop().fit(train, fitOptions({ count: 'some' }))).rejects.toThrow(/one of next, all/)
  })
})
