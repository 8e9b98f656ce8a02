/**
 * Wire format of a published global model (GET /v1/model): numeric header, a JSON description
 * (layout, model config, item vocabulary), then little-endian float32 weights.
 */
import { layoutSize, type ModelLayout } from './tensor-layout.js'

/** "FRMD": fedrec model. */
export const MODEL_MAGIC = 0x444d5246
export const MODEL_FORMAT_VERSION = 1

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

/** Serialises a model bundle. @example encodeModel({ version: 0, description, weights }) */
export function encodeModel(m: ModelBundle): Uint8Array<ArrayBuffer> {
  const n = layoutSize(m.description.layout)
  if (n !== m.weights.length) throw new RangeError(`weights have ${m.weights.length} values, the layout needs ${n}`)
  const json = new TextEncoder().encode(JSON.stringify(m.description))
  const jsonPadded = Math.ceil(json.length / 4) * 4
  const bytes = new Uint8Array(16 + jsonPadded + 4 * n)
  const dv = new DataView(bytes.buffer)
  dv.setUint32(0, MODEL_MAGIC, true)
  dv.setUint16(4, MODEL_FORMAT_VERSION, true)
  dv.setUint32(8, m.version, true)
  dv.setUint32(12, json.length, true)
  bytes.set(json, 16)
  const off = 16 + jsonPadded
  for (let i = 0; i < n; i++) dv.setFloat32(off + 4 * i, m.weights[i]!, true)
  return bytes
}

/** Parses a model bundle. @throws Error naming what is wrong */
export function decodeModel(bytes: Uint8Array): ModelBundle {
  if (bytes.length < 16) throw new Error('model bundle is shorter than its header')
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dv.getUint32(0, true) !== MODEL_MAGIC) throw new Error('model bundle does not start with "FRMD"')
  const fmt = dv.getUint16(4, true)
  if (fmt !== MODEL_FORMAT_VERSION) throw new Error(`model format ${fmt} is not supported`)
  const version = dv.getUint32(8, true)
  const jsonLen = dv.getUint32(12, true)
  if (16 + jsonLen > bytes.length) throw new Error('model description runs past the end')
  const description = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLen))) as ModelDescription
  const off = 16 + Math.ceil(jsonLen / 4) * 4
  const n = layoutSize(description.layout)
  if (bytes.length !== off + 4 * n) throw new Error(`model bundle is ${bytes.length} bytes, its layout needs ${off + 4 * n}`)
  const weights = new Float32Array(n)
  for (let i = 0; i < n; i++) weights[i] = dv.getFloat32(off + 4 * i, true)
  return { version, description, weights }
}
