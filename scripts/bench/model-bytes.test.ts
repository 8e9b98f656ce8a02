import { describe, expect, it } from 'vitest'
import { int8Rows } from './model-bytes.js'

describe('int8Rows', () => {
  it('stores one float32 scale per row, then each value rounded to a signed byte of max |x| / 127', () => {
    const out = int8Rows(new Float32Array([1, -0.5, 0, 0, 0.25, 0.5]), 2)
    const dv = new DataView(out.buffer)
    expect(out.length).toBe(6 + 3 * 4)
    expect([0, 1, 2].map((r) => dv.getFloat32(4 * r, true))).toEqual([Math.fround(1 / 127), 1, Math.fround(0.5 / 127)])
    expect(Array.from(new Int8Array(out.buffer, 12))).toEqual([127, -63, 0, 0, 64, 127]) // Math.round(-63.5) is -63
  })
})
