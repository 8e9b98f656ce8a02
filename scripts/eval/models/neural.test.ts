/** Index mapping and full-catalogue scoring shared by the neural models. */

import { describe, expect, it } from 'vitest'
import { parseTrainSessions } from '../data.js'
import { dotScores, itemIndex, modelSessions, prefixInputs } from './neural.js'

// Catalogue {2, 5, 9}: model items 1, 2, 3.
const train = parseTrainSessions('5 2\n9 5 9\n')

describe('item index', () => {
  it('maps raw ids to dense model indices and back', () => {
    const ix = itemIndex(train)
    expect(ix.numItems).toBe(3)
    expect(Array.from(ix.toRaw)).toEqual([2, 5, 9])
    expect([2, 5, 9, 3].map((id) => ix.toModel[id])).toEqual([1, 2, 3, 0])
    expect(modelSessions(train, ix).map((s) => Array.from(s))).toEqual([[2, 1], [3, 2, 3]])
  })

  it('right-aligns prefixes and drops unknown ids', () => {
    const ix = itemIndex(train)
    expect(Array.from(prefixInputs([Int32Array.of(5, 77, 9), Int32Array.of(2, 5, 9, 2)], ix, 3))).toEqual([0, 2, 3, 2, 3, 1])
  })
})

describe('dotScores', () => {
  it('writes h · item vectors at the raw ids', () => {
    const ix = itemIndex(train)
    const d = 5 // exercises the unrolled loop and its tail
    const items = new Float32Array(4 * d)
    for (let j = 1; j <= 3; j++) for (let k = 0; k < d; k++) items[j * d + k] = j * (k + 1)
    const h = Float32Array.of(1, 0, 0, 0, 1, 0, 1, 0, 0, 0)
    const out = new Float32Array(2 * 10)
    dotScores(h, items, 2, d, ix, out, 10)
    // row 0: h = e0 + e4 → j·(1 + 5); row 1: h = e1 → j·2
    expect([out[2], out[5], out[9]]).toEqual([6, 12, 18])
    expect([out[12], out[15], out[19]]).toEqual([2, 4, 6])
    expect(out[0]).toBe(0)
  })
})
