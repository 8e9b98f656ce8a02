/**
 * Wire format of a published global model (GET /v1/model): numeric header, a JSON description
 * (layout, model config, item vocabulary), then the weights: little-endian float32 (format 1),
 * int8 rows with a float32 scale each (format 2, code 1) or the same with the large tables in
 * int4 rows (format 2, code 2; model-encoding.ts). docs/PAYLOAD.md has the layout.
 */
import { dequantiseRows, ModelEncoding, packInt4, quantiseRows, rowWidths, tensorBits, unpackInt4, type CodeBits } from './model-encoding.js'
import { layoutSize, tensorSize, type ModelLayout } from './tensor-layout.js'

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
  /** How the weights travel: float32 (format 1, the default), int8 rows or int4 tables (format 2). */
  readonly encoding?: ModelEncoding
}

/** Format 2's codes (byte 6): int8 rows, and int8 rows with int4 tables. */
const INT8_ROWS_CODE = 1
const INT4_ROWS_CODE = 2

/** Bytes of a tensor's codes: one a weight at 8 bits, two weights a byte at 4. */
function codeBytes(n: number, bits: CodeBits): number {
  return bits === 8 ? n : Math.ceil(n / 2)
}

/** Bytes of format 2's weight section: [code-width table,] scales, codes. */
function quantisedBytes(layout: ModelLayout, bits: readonly CodeBits[], withTable: boolean): number {
  let n = withTable ? Math.ceil(layout.length / 4) * 4 : 0
  n += 4 * rowWidths(layout).length
  layout.forEach((t, i) => (n += codeBytes(tensorSize(t.shape), bits[i]!)))
  return n
}

/**
 * Serialises a model bundle: float32 weights in format 1, or quantised rows in format 2 (what
 * the edge publishes; its master copy stays float32): int8 rows (code 1), or int8 rows with the
 * tables of `tensorBits` in int4 (code 2, preceded by a byte per tensor giving its width).
 * @example encodeModel({ version: 0, description, weights }, { encoding: 'int8-rows' })
 */
export function encodeModel(m: ModelBundle, opts: EncodeModelOptions = {}): Uint8Array<ArrayBuffer> {
  const layout = m.description.layout
  const n = layoutSize(layout)
  if (n !== m.weights.length) throw new RangeError(`weights have ${m.weights.length} values, the layout needs ${n}`)
  const encoding = opts.encoding ?? ModelEncoding.Float32
  const quantised = encoding !== ModelEncoding.Float32
  const int4 = encoding === ModelEncoding.Int4Rows
  const json = new TextEncoder().encode(JSON.stringify(m.description))
  const jsonPadded = Math.ceil(json.length / 4) * 4
  const bits = tensorBits(layout, encoding)
  const bytes = new Uint8Array(16 + jsonPadded + (quantised ? quantisedBytes(layout, bits, int4) : 4 * n))
  const dv = new DataView(bytes.buffer)
  dv.setUint32(0, MODEL_MAGIC, true)
  dv.setUint16(4, quantised ? QUANTISED_MODEL_FORMAT_VERSION : MODEL_FORMAT_VERSION, true)
  if (quantised) dv.setUint8(6, int4 ? INT4_ROWS_CODE : INT8_ROWS_CODE)
  dv.setUint32(8, m.version, true)
  dv.setUint32(12, json.length, true)
  bytes.set(json, 16)
  let off = 16 + jsonPadded
  if (!quantised) {
    for (let i = 0; i < n; i++) dv.setFloat32(off + 4 * i, m.weights[i]!, true)
    return bytes
  }
  if (int4) {
    bytes.set(bits, off)
    off += Math.ceil(layout.length / 4) * 4
  }
  const q = quantiseRows(m.weights, layout, bits)
  for (let r = 0; r < q.scales.length; r++) dv.setFloat32(off + 4 * r, q.scales[r]!, true)
  off += 4 * q.scales.length
  let w = 0
  layout.forEach((t, i) => {
    const size = tensorSize(t.shape)
    const codes = q.codes.subarray(w, w + size)
    bytes.set(bits[i] === 8 ? new Uint8Array(codes.buffer, codes.byteOffset, size) : packInt4(codes), off)
    off += codeBytes(size, bits[i]!)
    w += size
  })
  return bytes
}

/**
 * Parses a model bundle of either format; quantised rows (int8, int4) come back dequantised to float32.
 * @throws Error naming what is wrong
 */
export function decodeModel(bytes: Uint8Array): ModelBundle {
  if (bytes.length < 16) throw new Error('model bundle is shorter than its header')
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== MODEL_MAGIC) throw new Error('model bundle does not start with "FRMD"')
  const fmt = dv.getUint16(4, true)
  if (fmt !== MODEL_FORMAT_VERSION && fmt !== QUANTISED_MODEL_FORMAT_VERSION) throw new Error(`model format ${fmt} is not supported (this decoder reads 1 and 2)`)
  const code = dv.getUint8(6)
  if (fmt === QUANTISED_MODEL_FORMAT_VERSION && ((code !== INT8_ROWS_CODE && code !== INT4_ROWS_CODE) || dv.getUint8(7) !== 0)) {
    throw new Error(`model weight encoding ${code} is unknown (format 2 knows 1 = int8 rows, 2 = int8 rows with int4 tables)`)
  }
  const version = dv.getUint32(8, true)
  const jsonLen = dv.getUint32(12, true)
  if (16 + jsonLen > bytes.length) throw new Error('model description runs past the end')
  const description = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLen))) as ModelDescription
  let off = 16 + Math.ceil(jsonLen / 4) * 4
  const layout = description.layout
  const n = layoutSize(layout)
  if (fmt === QUANTISED_MODEL_FORMAT_VERSION) {
    const int4 = code === INT4_ROWS_CODE
    let bits: CodeBits[] = layout.map(() => 8)
    if (int4) {
      if (off + layout.length > bytes.length) throw new Error('model code-width table runs past the end')
      bits = Array.from(bytes.subarray(off, off + layout.length), (b, i) => {
        if (b !== 4 && b !== 8) throw new Error(`tensor ${layout[i]!.name} has code width ${b}; widths are 4 or 8`)
        return b
      })
    }
    const need = off + quantisedBytes(layout, bits, int4)
    if (bytes.length !== need) throw new Error(`model bundle is ${bytes.length} bytes, its layout needs ${need}`)
    if (int4) off += Math.ceil(layout.length / 4) * 4
    const rows = rowWidths(layout).length
    const scales = new Float32Array(rows)
    for (let r = 0; r < rows; r++) scales[r] = dv.getFloat32(off + 4 * r, true)
    off += 4 * rows
    const codes = new Int8Array(n)
    let w = 0
    layout.forEach((t, i) => {
      const size = tensorSize(t.shape)
      const src = bytes.subarray(off, off + codeBytes(size, bits[i]!))
      codes.set(bits[i] === 8 ? new Int8Array(src.buffer, src.byteOffset, size) : unpackInt4(src, size), w)
      off += src.length
      w += size
    })
    return { version, description, weights: dequantiseRows(scales, codes, layout, bits) }
  }
  if (bytes.length !== off + 4 * n) throw new Error(`model bundle is ${bytes.length} bytes, its layout needs ${off + 4 * n}`)
  const weights = new Float32Array(n)
  for (let i = 0; i < n; i++) weights[i] = dv.getFloat32(off + 4 * i, true)
  return { version, description, weights }
}
