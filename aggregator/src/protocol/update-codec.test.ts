import { describe, expect, it } from 'vitest'
import { PayloadRejectedError } from '../errors.js'
import { seededRandomFill } from '../noise.js'
import { decodeUpdate, encodeUpdate, updateBytes, type UpdatePayload } from './update-codec.js'

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
    const adaptive = { ...p, clipBit: { countNoiseStd: 0.75, value: -0.5 + 0.125 } }
    expect(decodeUpdate(encodeUpdate(adaptive))).toEqual(adaptive)
  })

  it('pins the exact envelope bytes of format 2, with and without a clip bit', () => {
    const hex = Buffer.from(encodeUpdate(sample())).toString('hex')
    expect(hex).toMatchSnapshot()
    expect(hex.slice(8, 16), 'version 2, local mode, no flags').toBe('02000000')
    const adaptive = Buffer.from(encodeUpdate({ ...sample(), clipBit: { countNoiseStd: 0.75, value: 0.625 } })).toString('hex')
    expect(adaptive).toMatchSnapshot()
    expect(adaptive.slice(8, 16), 'flag bit 0 set').toBe('02000001')
  })

  it('still decodes format 1 (the walking skeleton’s), byte for byte as before', () => {
    const v1 = encodeUpdate(sample(), { formatVersion: 1 })
    expect(Buffer.from(v1).toString('hex')).toMatchSnapshot()
    expect(v1.length).toBe(encodeUpdate(sample()).length - 8)
    expect(decodeUpdate(v1)).toEqual({ ...sample(), shapes: [[2, 3], [3]] })
    expect(() => encodeUpdate({ ...sample(), clipBit: { countNoiseStd: 1, value: 0.5 } }, { formatVersion: 1 })).toThrow(/format 2/)
  })

  it('refuses unknown flags, stray adaptive bytes and a non-finite clip bit', () => {
    const good = encodeUpdate(sample())
    const flags = good.slice()
    flags[7] = 2
    expect(rejectReason(flags)).toBe('malformed')
    const stray = good.slice()
    new DataView(stray.buffer).setFloat32(44, 0.5, true)
    expect(rejectReason(stray)).toBe('malformed')
    const nanBit = encodeUpdate({ ...sample(), clipBit: { countNoiseStd: 1, value: 0.5 } })
    new DataView(nanBit.buffer).setFloat32(44, Number.POSITIVE_INFINITY, true)
    expect(rejectReason(nanBit)).toBe('non_finite')
    const v1flag = encodeUpdate(sample(), { formatVersion: 1 })
    v1flag[7] = 1
    expect(rejectReason(v1flag)).toBe('malformed')
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
    version[4] = 0
    expect(rejectReason(version)).toBe('unsupported_version')
  })

  it('refuses a shape table that announces more data than the body holds', () => {
    const p = sample()
    const bytes = encodeUpdate(p)
    // Format 2: tensor count at 48, first rank at 52, first dimension at 56.
    new DataView(bytes.buffer).setUint32(56, 1 << 30, true)
    expect(rejectReason(bytes)).toBe('malformed')
  })
})

describe('update envelope schema (after the byte reader)', () => {
  it('refuses a non-positive or non-finite clip norm and a negative noise multiplier as malformed', () => {
    for (const over of [{ clipNorm: 0 }, { clipNorm: -1 }, { clipNorm: Number.POSITIVE_INFINITY }, { noiseMultiplier: -0.5 }, { noiseMultiplier: Number.NaN }]) {
      expect(rejectReason(encodeUpdate({ ...sample(), ...over })), JSON.stringify(over)).toBe('malformed')
    }
  })

  it('decodes a payload that sits unaligned inside a larger buffer', () => {
    const bytes = encodeUpdate(sample())
    const outer = new Uint8Array(bytes.length + 3)
    outer.set(bytes, 3)
    expect(decodeUpdate(outer.subarray(3))).toEqual({ ...sample(), shapes: [[2, 3], [3]] })
  })

  it('names the first non-finite value', () => {
    const data = Float32Array.from([0, 0, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0, 0])
    expect(() => decodeUpdate(encodeUpdate({ ...sample(), data }))).toThrow(/value 5 is Infinity/)
  })
})

describe('format 3: quantised values', () => {
  const quantised = (encoding: 'int8' | 'int4'): UpdatePayload => ({ ...sample(), encoding })
  const random = () => ({ random: seededRandomFill(42) })

  it('pins the exact bytes of an int8 and an int4 payload (seeded rounding)', () => {
    const int8 = Buffer.from(encodeUpdate(quantised('int8'), random())).toString('hex')
    expect(int8).toMatchSnapshot()
    expect(int8.slice(8, 16), 'version 3, local mode, no flags').toBe('03000000')
    expect(int8.slice(96, 104), 'int8, reserved 0, block 256').toBe('01000001')
    const int4 = Buffer.from(encodeUpdate({ ...quantised('int4'), clipBit: { countNoiseStd: 0.75, value: 0.625 } }, random())).toString('hex')
    expect(int4).toMatchSnapshot()
    expect(int4.slice(96, 104)).toBe('02000001')
  })

  it('round-trips the header and the values within one step, and is as long as updateBytes says', () => {
    for (const e of ['int8', 'int4'] as const) {
      const p = { ...quantised(e), clipBit: { countNoiseStd: 0.75, value: -0.375 } }
      const bytes = encodeUpdate(p, random())
      expect(bytes.length).toBe(updateBytes(p.shapes, e))
      const back = decodeUpdate(bytes)
      const { data, ...header } = back
      expect(header).toEqual({ ...p, data: undefined, shapes: [[2, 3], [3]] } as unknown as typeof header)
      const step = 9 / (e === 'int8' ? 127 : 7)
      for (let i = 0; i < data.length; i++) expect(Math.abs(data[i]! - p.data[i]!)).toBeLessThanOrEqual(step)
      expect(data[8], 'the block max is on the grid').toBeCloseTo(9, 5)
    }
    expect(updateBytes([[2, 3], [3]], 'int8')).toBe(56 + 20 + 4 + 9)
    expect(updateBytes([[2, 3], [3]], 'int4')).toBe(56 + 20 + 4 + 5)
    expect(updateBytes([[2, 3], [3]])).toBe(52 + 20 + 36)
  })

  it('refuses an unknown encoding, a reserved byte, another block size, a wrong length, and a format that does not fit the values', () => {
    const good = encodeUpdate(quantised('int8'), random())
    const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
      ['encoding 0', (b) => ((b[48] = 0), b), /value encoding 0 is unknown/],
      ['encoding 3', (b) => ((b[48] = 3), b), /value encoding 3 is unknown/],
      ['reserved byte', (b) => ((b[49] = 1), b), /reserved byte 49/],
      ['block size', (b) => (new DataView(b.buffer).setUint16(50, 1024, true), b), /block size 1024/],
      ['one byte short', (b) => b.slice(0, -1), /need exactly/],
      ['one byte long', (b) => new Uint8Array([...b, 0]), /need exactly/],
      ['header only', (b) => b.slice(0, 54), /shorter than the 56-byte header of format 3/],
      ['int4 length for int8', (b) => ((b[48] = 2), b), /need exactly/],
      ['code -128', (b) => ((b[b.length - 1] = 0x80), b), /code -128, outside −127..127/],
      ['negative scale', (b) => (new DataView(b.buffer).setFloat32(76, -1, true), b), /never negative/],
    ]
    for (const [what, mutate, message] of cases) {
      const b = mutate(good.slice())
      expect(rejectReason(b), what).toBe('malformed')
      expect(() => decodeUpdate(b), what).toThrow(message)
    }
    const inf = good.slice()
    new DataView(inf.buffer).setFloat32(76, Number.POSITIVE_INFINITY, true)
    expect(rejectReason(inf)).toBe('non_finite')
    expect(() => encodeUpdate(quantised('int8'), { formatVersion: 2 })).toThrow(/format 2 cannot carry int8 values/)
    expect(() => encodeUpdate(sample(), { formatVersion: 3 })).toThrow(/format 3 cannot carry float32 values/)
  })
})

