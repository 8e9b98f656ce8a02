import { describe, expect, it } from 'vitest'
import { layoutSize, type ModelLayout } from './protocol/tensor-layout.js'
import { updateBytes } from './protocol/update-codec.js'
import { gatherSubset, rowSubsetError, scatterSubset, subsetRows, uploadLayout, type RowSubsetRound } from './row-subset.js'
import { rowSubsetForRound, rowSubsetPlan } from './row-subset-plan.js'
import { UPLOAD_BUDGET_BYTES } from './upload-budget.js'

const layout: ModelLayout = [
  { name: 'bias', shape: [2] },
  { name: 'item_emb', shape: [10, 3] },
  { name: 'out_w', shape: [3, 3] },
]
const subset: RowSubsetRound = { tensor: 'item_emb', hotRows: 2, windowStart: 7, windowRows: 3 }

describe('row subsets', () => {
  it('takes the hot rows, then a window that wraps past the last row', () => {
    expect(Array.from(subsetRows(10, subset))).toEqual([0, 1, 9, 2, 3])
  })

  it('cuts only the subset tensor in the upload layout', () => {
    expect(uploadLayout(layout, subset)).toEqual([layout[0], { name: 'item_emb', shape: [5, 3] }, layout[2]])
    expect(uploadLayout(layout, null)).toBe(layout)
  })

  it('gathers exactly the announced rows and scatters them back in place', () => {
    const full = Float32Array.from({ length: layoutSize(layout) }, (_, i) => i + 1)
    const part = gatherSubset(full, layout, subset)
    // bias (2), rows 0 1 9 2 3 of item_emb (offset 2, width 3), out_w (9)
    const row = (r: number) => [3 + 3 * r, 4 + 3 * r, 5 + 3 * r]
    expect(Array.from(part)).toEqual([1, 2, ...row(0), ...row(1), ...row(9), ...row(2), ...row(3), ...Array.from({ length: 9 }, (_, i) => 33 + i)])
    const back = scatterSubset(Float64Array.from(part), layout, subset)
    const want = Array.from(full, (x, i) => (i >= 2 && i < 32 && ![0, 1, 2, 3, 9].includes(Math.floor((i - 2) / 3)) ? 0 : x))
    expect(Array.from(back)).toEqual(want)
  })

  it('leaves whole-model vectors alone when the round trains every row', () => {
    const full = new Float32Array(layoutSize(layout))
    expect(gatherSubset(full, layout, undefined)).toBe(full)
  })

  it('refuses subsets that do not fit the model, saying why', () => {
    expect(rowSubsetError(layout, { ...subset, tensor: 'nope' })).toMatch(/no tensor nope/)
    expect(rowSubsetError(layout, { ...subset, windowRows: 9 })).toMatch(/2 \+ 9 rows of item_emb, which has 10/)
    expect(rowSubsetError(layout, { ...subset, windowStart: 8 })).toMatch(/windowStart 8 must be below 8/)
    expect(rowSubsetError(layout, { ...subset, hotRows: 1.5 })).toMatch(/integers/)
    expect(rowSubsetError(layout, { ...subset, hotRows: 0, windowRows: 0 })).toMatch(/no rows/)
    expect(() => gatherSubset(new Float32Array(3), layout, subset)).toThrow(/vector has 3 values/)
    expect(() => scatterSubset(new Float64Array(3), layout, subset)).toThrow(/update has 3 values/)
  })

  it('moves the window on by its length each round, so every row is trained in turn', () => {
    const plan = { tensor: 'item_emb', hotRows: 2, windowRows: 3 }
    const seen = new Set<number>()
    for (let r = 0; r < 3; r++) for (const row of subsetRows(10, rowSubsetForRound(layout, plan, r))) seen.add(row)
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(rowSubsetForRound(layout, plan, 3).windowStart).toBe(1)
  })

  it('plans the most rows whose update fits the budget, and none for a model that fits whole', () => {
    const big: ModelLayout = [{ name: 'item_emb', shape: [24_001, 32] }, { name: 'out_w', shape: [64, 32] }]
    const plan = rowSubsetPlan(big, 'int4')!
    const rows = plan.hotRows + plan.windowRows
    const bytes = (n: number) => updateBytes([[n, 32], [64, 32]], 'int4')
    expect(bytes(rows)).toBeLessThanOrEqual(UPLOAD_BUDGET_BYTES)
    expect(bytes(rows + 1)).toBeGreaterThan(UPLOAD_BUDGET_BYTES)
    expect(plan.hotRows).toBe(Math.floor(rows / 2))
    expect(rowSubsetPlan([{ name: 'item_emb', shape: [195, 32] }], 'int4')).toBeNull()
  })
})
