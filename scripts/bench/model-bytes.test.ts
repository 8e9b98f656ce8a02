import { describe, expect, it } from 'vitest'
import { float16Bits, float16Weights } from './model-bytes.js'

describe('float16Bits', () => {
  it('rounds to the nearest half, ties to even, with subnormals, ±0 and ±∞', () => {
    expect(float16Bits(1)).toBe(0x3c00)
    expect(float16Bits(-2)).toBe(0xc000)
    expect(float16Bits(65504)).toBe(0x7bff)
    expect(float16Bits(1e6)).toBe(0x7c00)
    expect(float16Bits(-0)).toBe(0x8000)
    expect(float16Bits(2 ** -24)).toBe(0x0001) // the smallest subnormal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00) // a tie: to even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02)
    expect(float16Weights(Float32Array.of(1, -2)).length).toBe(4)
  })
})
