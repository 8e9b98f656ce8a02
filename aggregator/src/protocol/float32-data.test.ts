import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { float32Data } from './float32-data.js'

/** `values` written little-endian at `offset` of a buffer of `offset + 4n + tail` bytes. */
function wire(values: readonly number[], offset: number, tail = 0): Uint8Array {
  const bytes = new Uint8Array(offset + 4 * values.length + tail)
  const dv = new DataView(bytes.buffer)
  values.forEach((x, i) => dv.setFloat32(offset + 4 * i, x, true))
  return bytes
}

describe('float32Data', () => {
  it('reads little-endian float32 values at any offset, aligned or not (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 50 }), fc.nat(9), fc.nat(3), (xs, offset, lead) => {
        // `lead` shifts the Uint8Array inside its buffer, so the absolute alignment varies too.
        const inner = wire(xs, offset, 3)
        const outer = new Uint8Array(lead + inner.length)
        outer.set(inner, lead)
        const bytes = outer.subarray(lead)
        expect(Array.from(float32Data(bytes, offset, xs.length))).toEqual(xs.map((x) => Math.fround(x)))
      }),
    )
  })

  it('is a view on the bytes when aligned and a copy when not', () => {
    const aligned = wire([1, 2, 3], 8)
    const view = float32Data(aligned, 8, 3)
    expect(view.buffer).toBe(aligned.buffer)
    const shifted = new Uint8Array(aligned.length + 1)
    shifted.set(aligned, 1)
    const copy = float32Data(shifted.subarray(1), 8, 3)
    expect(copy.buffer).not.toBe(shifted.buffer)
    expect(copy.byteOffset % 4).toBe(0)
    expect(Array.from(copy)).toEqual([1, 2, 3])
  })

  it('refuses a range outside the bytes', () => {
    expect(() => float32Data(new Uint8Array(12), 4, 3)).toThrow(RangeError)
    expect(() => float32Data(new Uint8Array(12), -4, 1)).toThrow(RangeError)
  })
})
