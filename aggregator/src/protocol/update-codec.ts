/**
 * Wire format of a device's update (docs/PAYLOAD.md): a fixed numeric header, the tensor shapes,
 * then little-endian float32 data. No strings, no ids: only numbers a reviewer can decode.
 */
import { PayloadRejectedError, RejectReason } from '../errors.js'
import { NoiseMode } from '../round-config.js'
import { tensorSize } from './tensor-layout.js'

/** "FRUP": fedrec update payload. */
export const UPDATE_MAGIC = 0x50555246
export const UPDATE_FORMAT_VERSION = 1
/** Bytes before the shape table. */
export const UPDATE_HEADER_BYTES = 44
export const NONCE_BYTES = 16
/** Largest rank and tensor count a payload may announce (keeps decoding bounded). */
const MAX_RANK = 4
const MAX_TENSORS = 64

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
  /** All tensors, flattened and concatenated in `shapes` order. */
  readonly data: Float32Array
}

const MODE_CODE: Record<NoiseMode, number> = { local: 0, distributed: 1 }

/**
 * Serialises an update. The layout is fixed by docs/PAYLOAD.md; a snapshot test pins it.
 * @example const bytes = encodeUpdate({ modelVersion: 3, roundId: 7, ... })
 */
export function encodeUpdate(p: UpdatePayload): Uint8Array<ArrayBuffer> {
  if (p.nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`)
  const shapeWords = p.shapes.reduce((n, s) => n + 1 + s.length, 0)
  const total = p.shapes.reduce((n, s) => n + tensorSize(s), 0)
  if (total !== p.data.length) throw new RangeError(`data has ${p.data.length} values, shapes announce ${total}`)
  const bytes = new Uint8Array(UPDATE_HEADER_BYTES + 4 * shapeWords + 4 * p.data.length)
  const dv = new DataView(bytes.buffer)
  dv.setUint32(0, UPDATE_MAGIC, true)
  dv.setUint16(4, UPDATE_FORMAT_VERSION, true)
  dv.setUint8(6, MODE_CODE[p.noiseMode])
  dv.setUint8(7, 0)
  dv.setUint32(8, p.modelVersion, true)
  dv.setUint32(12, p.roundId, true)
  dv.setFloat32(16, p.clipNorm, true)
  dv.setFloat32(20, p.noiseMultiplier, true)
  bytes.set(p.nonce, 24)
  dv.setUint32(40, p.shapes.length, true)
  let off = UPDATE_HEADER_BYTES
  for (const s of p.shapes) {
    dv.setUint32(off, s.length, true)
    off += 4
    for (const d of s) {
      dv.setUint32(off, d, true)
      off += 4
    }
  }
  for (let i = 0; i < p.data.length; i++) dv.setFloat32(off + 4 * i, p.data[i]!, true)
  return bytes
}

function reject(reason: RejectReason, message: string): never {
  throw new PayloadRejectedError(reason, message, 400)
}

/**
 * Parses and structurally checks an update: magic, version, bounded shape table, exact length,
 * finite values. Semantic checks against the open round live in `validateUpdate`.
 * @throws PayloadRejectedError with a reason for anything malformed
 */
export function decodeUpdate(bytes: Uint8Array): UpdatePayload {
  if (bytes.length < UPDATE_HEADER_BYTES) reject(RejectReason.Malformed, `payload is ${bytes.length} bytes, shorter than the ${UPDATE_HEADER_BYTES}-byte header`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== UPDATE_MAGIC) reject(RejectReason.BadMagic, 'payload does not start with the "FRUP" magic')
  const version = dv.getUint16(4, true)
  if (version !== UPDATE_FORMAT_VERSION) reject(RejectReason.UnsupportedVersion, `format version ${version} is not supported (expected ${UPDATE_FORMAT_VERSION})`)
  const modeCode = dv.getUint8(6)
  const noiseMode = modeCode === 0 ? NoiseMode.Local : modeCode === 1 ? NoiseMode.Distributed : reject(RejectReason.Malformed, `unknown noise mode ${modeCode}`)
  if (dv.getUint8(7) !== 0) reject(RejectReason.Malformed, 'reserved byte 7 must be 0')
  const clipNorm = dv.getFloat32(16, true)
  const noiseMultiplier = dv.getFloat32(20, true)
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) reject(RejectReason.Malformed, `clip norm ${clipNorm} is not a positive number`)
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) reject(RejectReason.Malformed, `noise multiplier ${noiseMultiplier} is not a number ≥ 0`)
  const count = dv.getUint32(40, true)
  if (count === 0 || count > MAX_TENSORS) reject(RejectReason.Malformed, `tensor count ${count} is outside 1..${MAX_TENSORS}`)
  const shapes: number[][] = []
  let off = UPDATE_HEADER_BYTES
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
    if (total * 4 > bytes.length) reject(RejectReason.Malformed, `shapes announce ${total * 4}+ data bytes, the payload has ${bytes.length}`)
    shapes.push(shape)
  }
  const expected = off + total * 4
  if (bytes.length !== expected) reject(RejectReason.Malformed, `payload is ${bytes.length} bytes, its shapes need exactly ${expected}`)
  const data = new Float32Array(total)
  for (let i = 0; i < total; i++) {
    const x = dv.getFloat32(off + 4 * i, true)
    if (!Number.isFinite(x)) reject(RejectReason.NonFinite, `value ${i} is ${x}; every value must be finite`)
    data[i] = x
  }
  return {
    modelVersion: dv.getUint32(8, true),
    roundId: dv.getUint32(12, true),
    clipNorm,
    noiseMultiplier,
    noiseMode,
    nonce: bytes.slice(24, 24 + NONCE_BYTES),
    shapes,
    data,
  }
}
