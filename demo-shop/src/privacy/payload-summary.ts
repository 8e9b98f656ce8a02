/** What the privacy panel shows of one sent payload: its decoded header and vector statistics. */
import { decodeUpdate, l2Norm, updateFormatVersion, type NoiseMode } from '../../../aggregator/src/index.js'

/** A decoded payload, as a privacy reviewer reads it. */
export interface PayloadSummary {
  /** Wire format version (docs/PAYLOAD.md). */
  readonly format: number
  readonly roundId: number
  readonly modelVersion: number
  readonly clipNorm: number
  readonly noiseMultiplier: number
  readonly noiseMode: NoiseMode
  /** Size on the wire in bytes. */
  readonly bytes: number
  /** Number of values (one per model weight). */
  readonly values: number
  /** How the values travel: float32 (format 1, 2), or int8 / int4 codes with block scales (format 3). */
  readonly encoding: 'float32' | 'int8' | 'int4'
  readonly tensors: number
  /** L2 norm of the vector as sent (clipped delta plus noise). */
  readonly norm: number
  /** The one-time nonce, hex. */
  readonly nonce: string
  /** The first few values (dequantised for int8 / int4), to show that they are plain numbers. */
  readonly head: readonly number[]
  /** The noised clip bit of adaptive clipping, when the round asked for one. */
  readonly clipBit: number | null
}

/**
 * Decodes a payload exactly as the server does (aggregator's `decodeUpdate`) and summarises it.
 * @throws PayloadRejectedError when the bytes are not a valid payload
 * @example summarizePayload(bytes).clipNorm // 1
 */
export function summarizePayload(bytes: Uint8Array): PayloadSummary {
  const u = decodeUpdate(bytes)
  return {
    format: updateFormatVersion(bytes),
    roundId: u.roundId,
    modelVersion: u.modelVersion,
    clipNorm: u.clipNorm,
    noiseMultiplier: u.noiseMultiplier,
    noiseMode: u.noiseMode,
    bytes: bytes.byteLength,
    values: u.data.length,
    encoding: u.encoding ?? 'float32',
    tensors: u.shapes.length,
    norm: l2Norm(u.data),
    nonce: Array.from(u.nonce, (b) => b.toString(16).padStart(2, '0')).join(''),
    head: Array.from(u.data.subarray(0, 6)),
    clipBit: u.clipBit?.value ?? null,
  }
}
