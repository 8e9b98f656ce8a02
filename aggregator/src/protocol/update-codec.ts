/**
 * Wire format of a device's update (docs/PAYLOAD.md): a fixed numeric header, the tensor shapes,
 * then little-endian float32 data. No strings, no ids: only numbers a reviewer can decode.
 * Format 2 adds a flags byte and the adaptive-clipping fields; format 1 payloads are still
 * decoded (a round with adaptive clipping refuses them in `validateUpdate`). Format 3 carries the
 * values quantised (update-encoding.ts): float32 updates are written in format 2, int8 / int4
 * ones in format 3, and `decodeUpdate` hands back float32 values either way.
 */
import { PayloadRejectedError, RejectReason } from '../errors.js'
import { NoiseMode } from '../round-config.js'
import { float32Data } from './float32-data.js'
import { tensorSize } from './tensor-layout.js'
import { blockCount, codeBytes, dequantise, ENCODING_CODE, isQuantised, QUANT_BLOCK, quantise, UpdateEncoding, valueBytes, type QuantisedEncoding } from './update-encoding.js'
import type { RandomFill } from '../noise.js'
import { checkEnvelope, MAX_RANK, MAX_TENSORS, NONCE_BYTES } from './update-schema.js'

export { NONCE_BYTES }

/** "FRUP": fedrec update payload. */
export const UPDATE_MAGIC = 0x50555246
/** The format `encodeUpdate` writes for float32 values. */
export const UPDATE_FORMAT_VERSION = 2
/** The format `encodeUpdate` writes for quantised (int8 / int4) values. */
export const QUANTISED_UPDATE_FORMAT_VERSION = 3
/** Formats `decodeUpdate` reads. */
export const UPDATE_FORMAT_VERSIONS = [1, 2, 3] as const
export type UpdateFormatVersion = (typeof UPDATE_FORMAT_VERSIONS)[number]
/** Bytes before the shape table, per format. */
export const UPDATE_HEADER_BYTES_BY_VERSION: Readonly<Record<UpdateFormatVersion, number>> = { 1: 44, 2: 52, 3: 56 }
/** Bytes before the shape table of a float32 payload (format 2). */
export const UPDATE_HEADER_BYTES = UPDATE_HEADER_BYTES_BY_VERSION[UPDATE_FORMAT_VERSION]
/** Format 2 flag bits (byte 7): bit 0 says the payload carries a clip bit. */
const FLAG_CLIP_BIT = 1

/** Adaptive clipping's part of a payload (format 2). */
export interface ClipBitField {
  /** σ_b the round announced: std of the noise on the cohort's sum of clip bits. */
  readonly countNoiseStd: number
  /** The device's centred clip bit (+½ not clipped, −½ clipped) plus its share of that noise. */
  readonly value: number
}

/** A device update as it travels. */
export interface UpdatePayload {
  readonly modelVersion: number
  readonly roundId: number
  readonly clipNorm: number
  readonly noiseMultiplier: number
  readonly noiseMode: NoiseMode
  /** 16 random bytes, fresh per payload: lets the server refuse a replay. Not an identifier. */
  readonly nonce: Uint8Array
  readonly shapes: readonly (readonly number[])[]
  /**
   * All tensors, flattened and concatenated in `shapes` order. From `decodeUpdate`, usually a
   * view on the payload's bytes (see `float32Data`), not a copy. For a quantised payload, the
   * values to quantise (encoding) or the dequantised values, code × scale (decoding).
   */
  readonly data: Float32Array
  /** Present only when the round clips adaptively (format 2, flag bit 0). */
  readonly clipBit?: ClipBitField
  /** How the values travel: int8 / int4 (format 3); absent for float32 (formats 1 and 2). */
  readonly encoding?: QuantisedEncoding
}

/**
 * Bytes of an encoded update with these shapes in encoding `e` (no clip bit needed: its bytes
 * are in the header either way).
 * @example updateBytes([[2, 3], [3]], 'float32') // 52 + 4·5 + 4·9
 */
export function updateBytes(shapes: readonly (readonly number[])[], e: UpdateEncoding = UpdateEncoding.Float32): number {
  const header = UPDATE_HEADER_BYTES_BY_VERSION[isQuantised(e) ? QUANTISED_UPDATE_FORMAT_VERSION : UPDATE_FORMAT_VERSION]
  const total = shapes.reduce((n, s) => n + tensorSize(s), 0)
  return header + 4 * shapes.reduce((n, s) => n + 1 + s.length, 0) + valueBytes(total, e)
}

const MODE_CODE: Record<NoiseMode, number> = { local: 0, distributed: 1 }

/** Options of {@link encodeUpdate}. */
export interface EncodeUpdateOptions {
  /** `1` writes what SDKs before adaptive clipping sent (float32 only). Default: 2, or 3 when quantised. */
  readonly formatVersion?: UpdateFormatVersion
  /** Uniforms for the stochastic rounding of a quantised payload; the platform CSPRNG by default. */
  readonly random?: RandomFill
}

/**
 * Serialises an update: float32 values in format 2 (or format 1 when asked, so that tests and
 * audits can produce what older SDKs sent), int8 / int4 values (`encoding`) in format 3,
 * quantised here with unbiased stochastic rounding. The layout is fixed by docs/PAYLOAD.md;
 * snapshot tests pin it.
 * @example const bytes = encodeUpdate({ modelVersion: 3, roundId: 7, ..., encoding: 'int8' })
 */
export function encodeUpdate(p: UpdatePayload, opts: EncodeUpdateOptions = {}): Uint8Array<ArrayBuffer> {
  const quantised = isQuantised(p.encoding)
  const version = opts.formatVersion ?? (quantised ? QUANTISED_UPDATE_FORMAT_VERSION : UPDATE_FORMAT_VERSION)
  if (p.nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`)
  if (version === 1 && p.clipBit) throw new RangeError('format 1 cannot carry a clip bit; adaptive clipping needs format 2')
  if (quantised !== (version === 3)) throw new RangeError(`format ${version} cannot carry ${p.encoding ?? 'float32'} values; int8 and int4 travel in format 3, float32 in formats 1 and 2`)
  const shapeWords = p.shapes.reduce((n, s) => n + 1 + s.length, 0)
  const total = p.shapes.reduce((n, s) => n + tensorSize(s), 0)
  if (total !== p.data.length) throw new RangeError(`data has ${p.data.length} values, shapes announce ${total}`)
  const header = UPDATE_HEADER_BYTES_BY_VERSION[version]
  const bytes = new Uint8Array(header + 4 * shapeWords + valueBytes(total, p.encoding ?? UpdateEncoding.Float32))
  const dv = new DataView(bytes.buffer)
  dv.setUint32(0, UPDATE_MAGIC, true)
  dv.setUint16(4, version, true)
  dv.setUint8(6, MODE_CODE[p.noiseMode])
  dv.setUint8(7, p.clipBit ? FLAG_CLIP_BIT : 0)
  dv.setUint32(8, p.modelVersion, true)
  dv.setUint32(12, p.roundId, true)
  dv.setFloat32(16, p.clipNorm, true)
  dv.setFloat32(20, p.noiseMultiplier, true)
  bytes.set(p.nonce, 24)
  if (version >= 2) {
    dv.setFloat32(40, p.clipBit?.countNoiseStd ?? 0, true)
    dv.setFloat32(44, p.clipBit?.value ?? 0, true)
  }
  if (isQuantised(p.encoding)) {
    dv.setUint8(48, ENCODING_CODE[p.encoding])
    dv.setUint16(50, QUANT_BLOCK, true)
  }
  dv.setUint32(header - 4, p.shapes.length, true)
  let off = header
  for (const s of p.shapes) {
    dv.setUint32(off, s.length, true)
    off += 4
    for (const d of s) {
      dv.setUint32(off, d, true)
      off += 4
    }
  }
  if (isQuantised(p.encoding)) {
    const q = quantise(p.data, p.encoding, opts.random)
    for (let b = 0; b < q.scales.length; b++) dv.setFloat32(off + 4 * b, q.scales[b]!, true)
    bytes.set(q.codes, off + 4 * q.scales.length)
    return bytes
  }
  for (let i = 0; i < p.data.length; i++) dv.setFloat32(off + 4 * i, p.data[i]!, true)
  return bytes
}

/** The encoding a format-3 header names (byte 48), checked with its reserved byte and block size. */
function quantisedEncoding(dv: DataView): QuantisedEncoding {
  const code = dv.getUint8(48)
  const encoding = code === ENCODING_CODE.int8 ? UpdateEncoding.Int8 : code === ENCODING_CODE.int4 ? UpdateEncoding.Int4 : reject(RejectReason.Malformed, `value encoding ${code} is unknown (format 3 knows 1 = int8, 2 = int4)`)
  if (dv.getUint8(49) !== 0) reject(RejectReason.Malformed, 'reserved byte 49 must be 0')
  const block = dv.getUint16(50, true)
  if (block !== QUANT_BLOCK) reject(RejectReason.Malformed, `block size ${block} differs from the format's ${QUANT_BLOCK}`)
  return encoding
}

function reject(reason: RejectReason, message: string): never {
  throw new PayloadRejectedError(reason, message, 400)
}

/**
 * Parses an update: the bytes are checked here (magic, version, flags, bounded shape table,
 * exact length), the parsed fields by the envelope schema (update-schema.ts: ranges, finite
 * values). Checks against the open round live in `validateUpdate`.
 * @throws PayloadRejectedError with a reason for anything malformed
 */
export function decodeUpdate(bytes: Uint8Array): UpdatePayload {
  const version = updateFormatVersion(bytes)
  const header = UPDATE_HEADER_BYTES_BY_VERSION[version]
  if (bytes.length < header) reject(RejectReason.Malformed, `payload is ${bytes.length} bytes, shorter than the ${header}-byte header of format ${version}`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const modeCode = dv.getUint8(6)
  const noiseMode = modeCode === 0 ? NoiseMode.Local : modeCode === 1 ? NoiseMode.Distributed : reject(RejectReason.Malformed, `unknown noise mode ${modeCode}`)
  const flags = dv.getUint8(7)
  if (version === 1 && flags !== 0) reject(RejectReason.Malformed, 'reserved byte 7 must be 0 in format 1')
  if ((flags & ~FLAG_CLIP_BIT) !== 0) reject(RejectReason.Malformed, `unknown flag bits ${flags.toString(2)} in byte 7`)
  let clipBit: ClipBitField | undefined
  if (version >= 2) {
    const countNoiseStd = dv.getFloat32(40, true)
    const value = dv.getFloat32(44, true)
    if ((flags & FLAG_CLIP_BIT) !== 0) {
      clipBit = { countNoiseStd, value }
    } else if (dv.getUint32(40, true) !== 0 || dv.getUint32(44, true) !== 0) {
      reject(RejectReason.Malformed, 'bytes 40..47 must be 0 when flag bit 0 (clip bit) is clear')
    }
  }
  const encoding = version === 3 ? quantisedEncoding(dv) : undefined
  const count = dv.getUint32(header - 4, true)
  if (count === 0 || count > MAX_TENSORS) reject(RejectReason.Malformed, `tensor count ${count} is outside 1..${MAX_TENSORS}`)
  const shapes: number[][] = []
  let off = header
  let total = 0
  for (let t = 0; t < count; t++) {
    if (off + 4 > bytes.length) reject(RejectReason.Malformed, 'shape table runs past the end of the payload')
    const rank = dv.getUint32(off, true)
    off += 4
    if (rank < 1 || rank > MAX_RANK) reject(RejectReason.Malformed, `tensor ${t} has rank ${rank}, outside 1..${MAX_RANK}`)
    if (off + 4 * rank > bytes.length) reject(RejectReason.Malformed, 'shape table runs past the end of the payload')
    const shape: number[] = []
    for (let r = 0; r < rank; r++, off += 4) shape.push(dv.getUint32(off, true))
    const n = tensorSize(shape)
    if (n === 0) reject(RejectReason.Malformed, `tensor ${t} is empty`)
    total += n
    const need = valueBytes(total, encoding ?? UpdateEncoding.Float32)
    if (need > bytes.length) reject(RejectReason.Malformed, `shapes announce ${need}+ data bytes, the payload has ${bytes.length}`)
    shapes.push(shape)
  }
  const expected = off + valueBytes(total, encoding ?? UpdateEncoding.Float32)
  if (bytes.length !== expected) reject(RejectReason.Malformed, `payload is ${bytes.length} bytes, its shapes need exactly ${expected}`)
  let data: Float32Array
  if (encoding) {
    const blocks = blockCount(total)
    const codes = bytes.subarray(off + 4 * blocks, off + 4 * blocks + codeBytes(total, encoding))
    data = dequantise({ scales: float32Data(bytes, off, blocks), codes }, encoding, total)
  } else {
    data = float32Data(bytes, off, total)
  }
  const update: UpdatePayload = {
    modelVersion: dv.getUint32(8, true),
    roundId: dv.getUint32(12, true),
    clipNorm: dv.getFloat32(16, true),
    noiseMultiplier: dv.getFloat32(20, true),
    noiseMode,
    nonce: bytes.slice(24, 24 + NONCE_BYTES),
    shapes,
    data,
    ...(clipBit ? { clipBit } : {}),
    ...(encoding ? { encoding } : {}),
  }
  checkEnvelope(update)
  return update
}

/**
 * Checks the magic and reads the format version of a payload, without decoding the rest.
 * @throws PayloadRejectedError `bad_magic`, `unsupported_version` or `malformed` (too short)
 * @example updateFormatVersion(bytes) // 2
 */
export function updateFormatVersion(bytes: Uint8Array): UpdateFormatVersion {
  if (bytes.length < 6) reject(RejectReason.Malformed, `payload is ${bytes.length} bytes, too short for a header`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== UPDATE_MAGIC) reject(RejectReason.BadMagic, 'payload does not start with the "FRUP" magic')
  const version = dv.getUint16(4, true)
  if (version !== 1 && version !== 2 && version !== 3) reject(RejectReason.UnsupportedVersion, `format version ${version} is not supported (this decoder reads ${UPDATE_FORMAT_VERSIONS.slice(0, -1).join(', ')} and ${UPDATE_FORMAT_VERSIONS.at(-1)})`)
  return version
}
