import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { seededDelta } from '../testing/payloads.js'
import { decodeModel, encodeModel, type ModelBundle } from './model-codec.js'
import { dequantiseRows, INT4_MIN_ROWS, modelEncodingFor, packInt4, quantiseRows, rowWidths, tensorBits, unpackInt4 } from './model-encoding.js'
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
    expect(() => decodeModel(mutate((b) => (b[6] = 3)))).toThrow(/weight encoding 3 is unknown/)
    expect(() => decodeModel(good.slice(0, -1))).toThrow(/its layout needs/)
    expect(() => decodeModel(mutate((_, dv) => dv.setFloat32(off, -1, true)))).toThrow(/row 0 has scale -1/)
    expect(() => decodeModel(mutate((_, dv) => dv.setFloat32(off, Number.NaN, true)))).toThrow(/row 0 has scale NaN/)
    expect(() => decodeModel(mutate((b) => (b[good.length - 1] = 0x80)))).toThrow(/code -128, outside −127..127/)
    expect(() => dequantiseRows(new Float32Array(2), new Int8Array(10), layout)).toThrow(/2 row scales, its layout has 309 rows/)
  })

  it('quantises a row to codes of at most 127 in magnitude, the largest weight exactly ±127', () => {
    const { scales, codes } = quantiseRows(Float32Array.of(0.5, -1, 0.25), [{ name: 'r', shape: [3] }])
    expect(scales[0]).toBe(Math.fround(1 / 127))
    expect(Array.from(codes)).toEqual([64, -127, 32])
  })

  describe('int4 tables (format 2, code 2)', () => {
    const big: ModelLayout = [
      { name: 'item_emb', shape: [INT4_MIN_ROWS + 1, 8] },
      { name: 'w', shape: [8, 8] },
      { name: 'b', shape: [3] },
    ]
    const bigBundle = (): ModelBundle => {
      const weights = seededDelta((INT4_MIN_ROWS + 1) * 8 + 64 + 3, 11, 0.4)
      weights.fill(0, 0, 8) // the padding row
      return { version: 2, description: { layout: big, config: {}, vocab: ['x'] }, weights }
    }

    it('stores tables of INT4_MIN_ROWS rows in 4 bits and the rest in 8', () => {
      expect(tensorBits(big, 'int4-rows')).toEqual([4, 8, 8])
      expect(tensorBits(big, 'int8-rows')).toEqual([8, 8, 8])
      expect(tensorBits([{ name: 'small', shape: [INT4_MIN_ROWS - 1, 8] }], 'int4-rows')).toEqual([8])
    })

    it('round-trips within a step of each int4 row and half a step of each int8 row, in under 70 % of the int8 bytes', () => {
      const m = bigBundle()
      const bytes = encodeModel(m, { encoding: 'int4-rows' })
      expect([new DataView(bytes.buffer).getUint16(4, true), bytes[6], bytes[7]]).toEqual([2, 2, 0])
      const back = decodeModel(bytes)
      expect(back.description).toEqual(m.description)
      const widths = rowWidths(big)
      let off = 0
      widths.forEach((w, r) => {
        const row = m.weights.subarray(off, off + w)
        const max = Math.max(...Array.from(row, Math.abs))
        // int4: the scale is at most max / 7 (clipped rows have a finer one), so every weight is within a step.
        const tol = r <= INT4_MIN_ROWS ? max / 7 : Math.fround(max / 127) / 2 + 1e-9
        for (let i = 0; i < w; i++) expect(Math.abs(back.weights[off + i]! - row[i]!)).toBeLessThanOrEqual(tol + 1e-7)
        off += w
      })
      expect(Array.from(back.weights.subarray(0, 8))).toEqual(new Array(8).fill(0))
      // 8-wide rows: 4 + 4 bytes against 8 + 4 (32-wide rows: 16 + 4 against 32 + 4).
      expect(bytes.length).toBeLessThan(0.7 * encodeModel(m, { encoding: 'int8-rows' }).length)
      expect(encodeModel(m, { encoding: 'int4-rows' }), 'deterministic: the same master weights publish the same bytes').toEqual(bytes)
    })

    it('picks the scale with the least error: never worse than max / 7, and better when clipping pays', () => {
      const err = (row: Float32Array, s: number): number => row.reduce((e, x) => e + (x - Math.max(-7, Math.min(7, Math.round(x / s))) * s) ** 2, 0)
      const rows = 60
      const w = seededDelta(rows * 32, 21, 1)
      const q = quantiseRows(w, [{ name: 'e', shape: [rows, 32] }], [4])
      let better = 0
      for (let r = 0; r < rows; r++) {
        const row = w.subarray(r * 32, r * 32 + 32)
        const plain = Math.fround(Math.max(...Array.from(row, Math.abs)) / 7)
        expect(q.scales[r]!).toBeLessThanOrEqual(plain)
        expect(err(row, q.scales[r]!)).toBeLessThanOrEqual(err(row, plain))
        if (err(row, q.scales[r]!) < err(row, plain)) better++
      }
      expect(better).toBeGreaterThan(rows / 4)
      expect(Math.max(...Array.from(q.codes, Math.abs))).toBeLessThanOrEqual(7)
    })

    it('packs two codes a byte, low nibble first, and unpacks them sign-extended', () => {
      expect(Array.from(packInt4(Int8Array.of(1, -1, 7)))).toEqual([0xf1, 0x07])
      expect(Array.from(unpackInt4(Uint8Array.of(0xf1, 0x07), 3))).toEqual([1, -1, 7])
      const all = Int8Array.from({ length: 15 }, (_, i) => i - 7)
      expect(Array.from(unpackInt4(packInt4(all), 15))).toEqual(Array.from(all))
    })

    it('refuses a bad code width, a wrong length and the unused code −8', () => {
      const good = encodeModel(bigBundle(), { encoding: 'int4-rows' })
      const json = new DataView(good.buffer).getUint32(12, true)
      const table = 16 + Math.ceil(json / 4) * 4
      const bad = (f: (b: Uint8Array) => void): Uint8Array => {
        const b = good.slice()
        f(b)
        return b
      }
      expect(() => decodeModel(bad((b) => (b[table] = 5)))).toThrow(/tensor item_emb has code width 5/)
      expect(() => decodeModel(bad((b) => (b[table + 1] = 4)))).toThrow(/its layout needs/)
      expect(() => decodeModel(good.slice(0, -1))).toThrow(/its layout needs/)
      const firstCodes = table + 4 + 4 * rowWidths(big).length
      expect(() => decodeModel(bad((b) => (b[firstCodes + 4] = 0x08)))).toThrow(/code -8, outside −7..7/)
    })

    it('is what the edge publishes past INT8_MODEL_MAX_PARAMS parameters', () => {
      expect(modelEncodingFor([{ name: 'item_emb', shape: [17377, 32] }])).toBe('int8-rows')
      expect(modelEncodingFor([{ name: 'item_emb', shape: [43098, 32] }])).toBe('int4-rows')
    })
  })
})
