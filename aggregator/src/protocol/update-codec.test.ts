import { describe, expect, it } from 'vitest'
import { PayloadRejectedError } from '../errors.js'
import { decodeUpdate, encodeUpdate, type UpdatePayload } from './update-codec.js'

const sample = (): UpdatePayload => ({
  modelVersion: 3,
  roundId: 7,
  clipNorm: 1,
  noiseMultiplier: 0.5,
  noiseMode: 'local',
  nonce: new Uint8Array(16).map((_, i) => i * 11),
  shapes: [[2, 3], [3]],
  data: Float32Array.from([0.5, -1, 2, 0, 1e-3, -4, 7, 8, 9]),
})

function rejectReason(bytes: Uint8Array): string {
  try {
    decodeUpdate(bytes)
  } catch (e) {
    if (e instanceof PayloadRejectedError) return e.reason
    throw e
  }
  throw new Error('expected a rejection')
}

describe('update codec', () => {
  it('round-trips every field', () => {
    const p = sample()
    const back = decodeUpdate(encodeUpdate(p))
    expect(back).toEqual({ ...p, shapes: [[2, 3], [3]] })
  })

  it('pins the exact envelope bytes', () => {
    const hex = Buffer.from(encodeUpdate(sample())).toString('hex')
    expect(hex).toMatchSnapshot()
  })

  it('rejects truncated, padded, non-finite and foreign payloads with a reason', () => {
    const good = encodeUpdate(sample())
    expect(rejectReason(good.slice(0, 10))).toBe('malformed')
    expect(rejectReason(good.slice(0, good.length - 4))).toBe('malformed')
    expect(rejectReason(new Uint8Array([...good, 0, 0, 0, 0]))).toBe('malformed')
    const nan = good.slice()
    new DataView(nan.buffer).setFloat32(nan.length - 4, Number.NaN, true)
    expect(rejectReason(nan)).toBe('non_finite')
    const magic = good.slice()
    magic[0] = 0
    expect(rejectReason(magic)).toBe('bad_magic')
    const version = good.slice()
    version[4] = 9
    expect(rejectReason(version)).toBe('unsupported_version')
  })

  it('refuses a shape table that announces more data than the body holds', () => {
    const p = sample()
    const bytes = encodeUpdate(p)
    new DataView(bytes.buffer).setUint32(48, 1 << 30, true)
    expect(rejectReason(bytes)).toBe('malformed')
  })
})
