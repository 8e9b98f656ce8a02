import { describe, expect, it } from 'vitest'
import { repeatBonus, repeatBoost } from './repeat.js'

describe('repeatBonus', () => {
  it('adds the boost for every position an item holds, over the last maxLen', () => {
    expect(repeatBonus([4, 9, 4], 4, 2)).toEqual(new Map([[4, 4], [9, 2]]))
    // Longer than maxLen: only the last maxLen count; padding (0) is no item.
    expect(repeatBonus([7, 1, 2, 0, 2], 3, 1)).toEqual(new Map([[2, 2]]))
    expect(repeatBonus([], 3, 1)).toEqual(new Map())
    expect(repeatBonus([1, 2], 3, 0)).toEqual(new Map())
  })

  it('is 0 for a config without one', () => {
    expect(repeatBoost({ numItems: 3, dim: 2, maxLen: 2, numCategories: 0 })).toBe(0)
    expect(repeatBoost({ numItems: 3, dim: 2, maxLen: 2, numCategories: 0, repeatBoost: 4 })).toBe(4)
  })
})
