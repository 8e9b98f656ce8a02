/**
 * Wire format of a published global model (GET /v1/model): numeric header, a JSON description
 * (layout, model config, item vocabulary), then the weights: little-endian float32 (format 1) or
 * int8 rows with a float32 scale each (format 2, model-encoding.ts). docs/PAYLOAD.md has the layout.
 */
import { dequantiseRows, ModelEncoding, quantiseRows, rowWidths } from './model-encoding.js'
import { layoutSize, type ModelLayout } from './tensor-layout.js'

/** "FRMD": fedrec model. */
export const MODEL_MAGIC = 0x444d5246
/** Format of a bundle with float32 weights. */
export const MODEL_FORMAT_VERSION = 1
/** Format of a bundle with int8-row weights (model-encoding.ts). */
export const QUANTISED_MODEL_FORMAT_VERSION = 2

/** JSON part of a model bundle. `config` is opaque to the aggregator; the SDK model reads it. */
export interface ModelDescription {
  readonly layout: ModelLayout
  readonly config: Readonly<Record<string, unknown>>
  /** Shop item ids in model index order (index 0 is padding and has no id). */
  readonly vocab: readonly string[]
  /** Optional per-item category index, parallel to `vocab`. */
  readonly categories?: readonly number[]
  /** Optional per-item popularity used for cold start, parallel to `vocab`. */
  readonly popularity?: readonly number[]
}

export interface ModelBundle {
  readonly version: number
  readonly description: ModelDescription
  readonly weights: Float32Array
}

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** How the weights travel: float32 (format 1, the default) or int8 rows (format 2). */
  readonly encoding?: ModelEncoding
}

/** Format 2's code for int8 rows (byte 6). */
const INT8_ROWS_CODE = 1

/**
 * Serialises a model bundle: float32 weights in format 1, or int8 rows in format 2 (what the
 * edge publishes; its master copy stays float32).
 * @example encodeModel({ version: 0, description, weights }, { encoding: 'int8-rows' })
 */
export function encodeModel(m: ModelBundle, opts: EncodeModelOptions = {}): Uint8Array<ArrayBuffer> {
  const n = layoutSize(m.description.layout)
  if (n !== m.weights.length) throw new RangeError(`weights have ${m.weights.length} values, the layout needs ${n}`)
  const int8 = opts.encoding === ModelEncoding.Int8Rows
  const json = new TextEncoder().encode(JSON.stringify(m.description))
  const jsonPadded = Math.ceil(json.length / 4) * 4
  const q = int8 ? quantiseRows(m.weights, m.description.layout) : null
  const bytes = new Uint8Array(16 + jsonPadded + (q ? 4 * q.scales.length + n : 4 * n))
  const dv = new DataView(bytes.buffer)
  dv.setUint32(0, MODEL_MAGIC, true)
  dv.setUint16(4, q ? QUANTISED_MODEL_FORMAT_VERSION : MODEL_FORMAT_VERSION, true)
  if (q) dv.setUint8(6, INT8_ROWS_CODE)
  dv.setUint32(8, m.version, true)
  dv.setUint32(12, json.length, true)
  bytes.set(json, 16)
  const off = 16 + jsonPadded
  if (q) {
    for (let r = 0; r < q.scales.length; r++) dv.setFloat32(off + 4 * r, q.scales[r]!, true)
    bytes.set(new Uint8Array(q.codes.buffer), off + 4 * q.scales.length)
    return bytes
  }
  for (let i = 0; i < n; i++) dv.setFloat32(off + 4 * i, m.weights[i]!, true)
  return bytes
}

/**
 * Parses a model bundle of either format; int8 rows come back dequantised to float32.
 * @throws Error naming what is wrong
 */
export function decodeModel(bytes: Uint8Array): ModelBundle {
  if (bytes.length < 16) throw new Error('model bundle is shorter than its header')
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== MODEL_MAGIC) throw new Error('model bundle does not start with "FRMD"')
  const fmt = dv.getUint16(4, true)
  if (fmt !== MODEL_FORMAT_VERSION && fmt !== QUANTISED_MODEL_FORMAT_VERSION) throw new Error(`model format ${fmt} is not supported (this decoder reads 1 and 2)`)
  if (fmt === QUANTISED_MODEL_FORMAT_VERSION && (dv.getUint8(6) !== INT8_ROWS_CODE || dv.getUint8(7) !== 0)) throw new Error(`model weight encoding ${dv.getUint8(6)} is unknown (format 2 knows 1 = int8 rows)`)
  const version = dv.getUint32(8, true)
  const jsonLen = dv.getUint32(12, true)
  if (16 + jsonLen > bytes.length) throw new Error('model description runs past the end')
  const description = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLen))) as ModelDescription
  const off = 16 + Math.ceil(jsonLen / 4) * 4
  const n = layoutSize(description.layout)
  if (fmt === QUANTISED_MODEL_FORMAT_VERSION) {
    const rows = rowWidths(description.layout).length
    if (bytes.length !== off + 4 * rows + n) throw new Error(`model bundle is ${bytes.length} bytes, its layout needs ${off + 4 * rows + n}`)
    const scales = new Float32Array(rows)
    for (let r = 0; r < rows; r++) scales[r] = dv.getFloat32(off + 4 * r, true)
    const codes = new Int8Array(bytes.buffer.slice(bytes.byteOffset + off + 4 * rows, bytes.byteOffset + off + 4 * rows + n))
    return { version, description, weights: dequantiseRows(scales, codes, description.layout) }
  }
  if (bytes.length !== off + 4 * n) throw new Error(`model bundle is ${bytes.length} bytes, its layout needs ${off + 4 * n}`)
  const weights = new Float32Array(n)
  for (let i = 0; i < n; i++) weights[i] = dv.getFloat32(off + 4 * i, true)
  return { version, description, weights }
}
