import { describe, expect, it } from 'vitest'
import { encodeUpdate, NONCE_BYTES, PayloadRejectedError } from '../../../aggregator/src/index.js'
import { summarizePayload } from './payload-summary.js'

describe('summarizePayload', () => {
  it('reads back what the device encoded: header, size, norm, nonce', () => {
    const nonce = new Uint8Array(NONCE_BYTES).map((_, i) => i)
    const bytes = encodeUpdate({ modelVersion: 3, roundId: 7, clipNorm: 1, noiseMultiplier: 0.5, noiseMode: 'local', nonce, shapes: [[2, 2], [3]], data: Float32Array.of(3, 4, 0, 0, 0, 0, 0) })
    const s = summarizePayload(bytes)
    expect(s).toMatchObject({ format: 2, encoding: 'float32', clipBit: null, roundId: 7, modelVersion: 3, clipNorm: 1, noiseMultiplier: 0.5, noiseMode: 'local', bytes: bytes.byteLength, values: 7, tensors: 2, head: [3, 4, 0, 0, 0, 0] })
    expect(s.norm).toBeCloseTo(5, 6)
    expect(s.nonce).toBe('000102030405060708090a0b0c0d0e0f')
  })

  it('reads the clip bit of an adaptively clipped round and the older format 1', () => {
    const base = { modelVersion: 1, roundId: 2, clipNorm: 1, noiseMultiplier: 1, noiseMode: 'local' as const, nonce: new Uint8Array(NONCE_BYTES), shapes: [[2]], data: Float32Array.of(1, 2) }
    expect(summarizePayload(encodeUpdate({ ...base, clipBit: { countNoiseStd: 2, value: 0.5 } })).clipBit).toBe(0.5)
    expect(summarizePayload(encodeUpdate(base, { formatVersion: 1 }))).toMatchObject({ format: 1, bytes: 44 + 8 + 8 })
  })

  it('reads an int8 payload (format 3): dequantised values, its encoding and size', () => {
    const data = Float32Array.of(3, 4, 0, 0, 0, 0, 0) // on the grid of scale 4/127: codes are exact
    const bytes = encodeUpdate({ modelVersion: 3, roundId: 7, clipNorm: 1, noiseMultiplier: 0.5, noiseMode: 'local', nonce: new Uint8Array(NONCE_BYTES), shapes: [[7]], data, encoding: 'int8' })
    const s = summarizePayload(bytes)
    expect(s).toMatchObject({ format: 3, encoding: 'int8', values: 7, bytes: 56 + 8 + 4 + 7 })
    expect(Math.abs(s.head[0]! - 3)).toBeLessThanOrEqual(4 / 127)
    expect(s.head[1]).toBeCloseTo(4, 6)
  })

  it('refuses bytes that are not a payload, as the server would', () => {
    expect(() => summarizePayload(new Uint8Array(10))).toThrow(PayloadRejectedError)
  })
})
