import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { seededDelta } from '../testing/payloads.js'
import { decodeModel, encodeModel, type ModelBundle } from './model-codec.js'
import { dequantiseRows, quantiseRows, rowWidths } from './model-encoding.js'
import type { ModelLayout } from './tensor-layout.js'

const layout: ModelLayout = [
  { name: 'emb', shape: [300, 8] },
  { name: 'v', shape: [8, 1] },
  { name: 'b', shape: [5] },
]
const bundle = (): ModelBundle => {
  const weights = seededDelta(300 * 8 + 8 + 5, 3, 0.4)
  weights.fill(0, 8, 16) // an all-zero row (the padding row of an item table)
  return { version: 7, description: { layout, config: { dim: 8 }, vocab: ['a', 'b'] }, weights }
}

describe('model codec', () => {
  it('round-trips float32 (format 1) exactly', () => {
    const m = bundle()
    const bytes = encodeModel(m)
    expect(new DataView(bytes.buffer).getUint16(4, true)).toBe(1)
    expect(decodeModel(bytes)).toEqual(m)
  })

  it('int8 rows (format 2): each weight within half a step of its row, zero rows zero, a quarter of the bytes', () => {
    const m = bundle()
    const bytes = encodeModel(m, { encoding: 'int8-rows' })
    const dv = new DataView(bytes.buffer)
    expect([dv.getUint16(4, true), bytes[6], bytes[7]]).toEqual([2, 1, 0])
    const back = decodeModel(bytes)
    expect(back.version).toBe(7)
    expect(back.description).toEqual(m.description)
    const widths = rowWidths(layout)
    expect(widths.length).toBe(300 + 8 + 1)
    let off = 0
    for (const w of widths) {
      const row = m.weights.subarray(off, off + w)
      const step = Math.fround(Math.max(...Array.from(row, Math.abs)) / 127)
      for (let i = 0; i < w; i++) expect(Math.abs(back.weights[off + i]! - row[i]!)).toBeLessThanOrEqual(step / 2 + 1e-9)
      off += w
    }
    expect(Array.from(back.weights.subarray(8, 16))).toEqual(new Array(8).fill(0))
    const json = new TextEncoder().encode(JSON.stringify(m.description)).length
    expect(bytes.length).toBe(16 + Math.ceil(json / 4) * 4 + 4 * widths.length + m.weights.length)
    expect(encodeModel(back, { encoding: 'int8-rows' }), 'deterministic: re-publishing the dequantised weights gives the same bytes').toEqual(bytes)
  })

  it('int8 rows of a table gzip to under a third of its float32 bytes', () => {
    const rows = 4000
    const weights = seededDelta(rows * 32, 5, 0.2)
    const m: ModelBundle = { version: 1, description: { layout: [{ name: 'emb', shape: [rows, 32] }], config: {}, vocab: [] }, weights }
    const int8 = gzipSync(encodeModel(m, { encoding: 'int8-rows' })).length
    expect(int8).toBeLessThan(0.31 * gzipSync(encodeModel(m)).length)
  })

  it('refuses an unknown format or encoding, a wrong length, a bad scale and the unused code −128', () => {
    const good = encodeModel(bundle(), { encoding: 'int8-rows' })
    const mutate = (f: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
      const b = good.slice()
      f(b, new DataView(b.buffer))
      return b
    }
    const off = good.length - 2413 - 4 * 309
    expect(() => decodeModel(mutate((b) => (b[4] = 3)))).toThrow(/model format 3 is not supported/)
    expect(() => decodeModel(mutate((b) => (b[6] = 2)))).toThrow(/weight encoding 2 is unknown/)
    expect(() => decodeModel(good.slice(0, -1))).toThrow(/its layout needs/)
    expect(() => decodeModel(mutate((_, dv) => dv.setFloat32(off, -1, true)))).toThrow(/row 0 has scale -1/)
    expect(() => decodeModel(mutate((_, dv) => dv.setFloat32(off, Number.NaN, true)))).toThrow(/row 0 has scale NaN/)
    expect(() => decodeModel(mutate((b) => (b[good.length - 1] = 0x80)))).toThrow(/code −128/)
    expect(() => dequantiseRows(new Float32Array(2), new Int8Array(10), layout)).toThrow(/2 row scales, its layout has 309 rows/)
  })

  it('quantises a row to codes of at most 127 in magnitude, the largest weight exactly ±127', () => {
    const { scales, codes } = quantiseRows(Float32Array.of(0.5, -1, 0.25), [{ name: 'r', shape: [3] }])
    expect(scales[0]).toBe(Math.fround(1 / 127))
    expect(Array.from(codes)).toEqual([64, -127, 32])
  })
})
