import { describe, expect, it } from 'vitest'
import { repeatBonus } from './repeat.js'

describe('repeatBonus', () => {
  it('adds the weight of every position an item holds, right-aligned over the last maxLen', () => {
    expect(repeatBonus([4, 9, 4], 4, [0.1, 0.2, 0.3, 0.4])).toEqual(new Map([[4, 0.2 + 0.4], [9, 0.3]]))
    // Longer than maxLen: only the last maxLen count; padding (0) is no item.
    expect(repeatBonus([7, 1, 2, 0, 2], 3, [1, 10, 100])).toEqual(new Map([[2, 101]]))
    expect(repeatBonus([], 3, [1, 2, 3])).toEqual(new Map())
  })

  it('refuses weights of another length than maxLen', () => {
    expect(() => repeatBonus([1], 3, [1, 2])).toThrow(/2 repeat weights for a model that reads 3 positions/)
  })
})
