/**
 * How a published model's weights travel (GET /v1/model): float32 (format 1), or int8 with one
 * float32 max-abs scale per row (format 2), what the edge publishes by default up to
 * {@link INT8_MODEL_MAX_PARAMS} parameters; beyond, the item table in int4 rows. Measured on the
 * Diginetica-size models (scripts/bench/model-bytes.ts): int8 rows gzip to about half of float16
 * (263 KB against 451 KB for the 245k-parameter compact model), with a relative error per value
 * of at most 1/254 of its row's largest weight, small beside a training step. The server keeps
 * float32 master weights; devices train from, and compute their delta against, the dequantised
 * weights they downloaded.
 */
import { tensorSize, type ModelLayout } from './tensor-layout.js'

/** The encodings of a published model's weights. */
export const ModelEncoding = {
  /** 4 bytes a weight (format 1). */
  Float32: 'float32',
  /** 1 byte a weight, codes −127..127 times a float32 scale per row (format 2, code 1). */
  Int8Rows: 'int8-rows',
  /**
   * Tables of at least {@link INT4_MIN_ROWS} rows (the item table) at half a byte a weight, codes
   * −7..7 times a float32 scale per row; every other tensor as int8 rows (format 2, code 2).
   */
  Int4Rows: 'int4-rows',
} as const
export type ModelEncoding = (typeof ModelEncoding)[keyof typeof ModelEncoding]

/** Bits of one weight's code. */
export type CodeBits = 4 | 8

/** Largest code of each width: the most negative one stays unused so the range is symmetric (a decoder refuses it). */
export const LEVELS: Readonly<Record<CodeBits, number>> = { 8: 127, 4: 7 }

/** Rows from which `int4-rows` stores a tensor in 4 bits: the item table, never the small encoder matrices. */
export const INT4_MIN_ROWS = 1024

/**
 * Parameters up to which a published model travels as int8 rows, beyond which as int4 rows
 * (the edge's default when FEDREC_MODEL_ENCODING is unset). Int8 rows take about a byte a
 * parameter gzipped, and the download budget is 1 MB with the item ids (issue 3): the
 * 772,512-parameter compact table took 943–948 KB with its 43k ids, a row per item (1.38M
 * parameters) 1.62 MB, which int4 rows bring under the budget (docs/PAYLOAD.md).
 */
export const INT8_MODEL_MAX_PARAMS = 1_000_000

/**
 * The encoding a model of this layout is published in unless configured: int8 rows up to
 * {@link INT8_MODEL_MAX_PARAMS} parameters, int4 rows (for its large tables) beyond.
 * @example modelEncodingFor([{ name: 'item_emb', shape: [43098, 32] }]) // 'int4-rows'
 */
export function modelEncodingFor(layout: ModelLayout): ModelEncoding {
  let n = 0
  for (const t of layout) n += tensorSize(t.shape)
  return n <= INT8_MODEL_MAX_PARAMS ? ModelEncoding.Int8Rows : ModelEncoding.Int4Rows
}

/**
 * The code width of each tensor of a layout under a quantised encoding: 8 bits, or 4 for tables
 * of at least {@link INT4_MIN_ROWS} rows under `int4-rows`.
 * @example tensorBits([{ name: 'e', shape: [5000, 32] }, { name: 'w', shape: [32, 32] }], 'int4-rows') // [4, 8]
 */
export function tensorBits(layout: ModelLayout, encoding: ModelEncoding): CodeBits[] {
  return layout.map((t) => (encoding === ModelEncoding.Int4Rows && t.shape.length >= 2 && tensorSize(t.shape) / t.shape[t.shape.length - 1]! >= INT4_MIN_ROWS ? 4 : 8))
}

/**
 * Rows of each tensor of a layout: a tensor [d₀, …, d_k] has d₀·…·d_{k−1} rows of d_k weights
 * (a rank-1 tensor is one row). An embedding table gets one scale per item row.
 * @example rowWidths([{ name: 'e', shape: [3, 4] }, { name: 'b', shape: [5] }]) // [4, 4, 4, 5]
 */
export function rowWidths(layout: ModelLayout): number[] {
  const out: number[] = []
  for (const t of layout) {
    const width = t.shape[t.shape.length - 1] ?? 1
    const rows = tensorSize(t.shape) / width
    for (let r = 0; r < rows; r++) out.push(width)
  }
  return out
}

/**
 * Quantises weights row by row with round-to-nearest (deterministic: the same master weights
 * always publish the same bytes). An int8 row (`bits` 8, the default) has scale
 * s = max|row| / 127. An int4 row has 15 levels, where clipping the largest weights lowers the
 * row's error: its scale is the one of max|row| · f / 7, f ∈ {@link INT4_CLIP_FACTORS}, with the
 * least squared error. code = clamp(round(w / s)).
 * @example const { scales, codes } = quantiseRows(weights, layout)
 * @example quantiseRows(weights, layout, tensorBits(layout, 'int4-rows')) // codes −7..7 in the item table
 */
export function quantiseRows(weights: Float32Array, layout: ModelLayout, bits?: readonly CodeBits[]): { scales: Float32Array; codes: Int8Array } {
  const widths = rowWidths(layout)
  const rowBits = bitsPerRow(layout, bits)
  const scales = new Float32Array(widths.length)
  const codes = new Int8Array(weights.length)
  let off = 0
  widths.forEach((w, r) => {
    const row = weights.subarray(off, off + w)
    const levels = LEVELS[rowBits[r]!]
    const s = rowBits[r] === 8 ? Math.fround(maxAbs(row) / levels) : int4Scale(row)
    scales[r] = s
    if (s > 0) for (let i = 0; i < w; i++) codes[off + i] = Math.max(-levels, Math.min(levels, Math.round(row[i]! / s)))
    off += w
  })
  return { scales, codes }
}

/** The clip factors an int4 row's scale is chosen from (1: no clipping). */
export const INT4_CLIP_FACTORS = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7] as const

function maxAbs(row: Float32Array): number {
  let max = 0
  for (let i = 0; i < row.length; i++) max = Math.max(max, Math.abs(row[i]!))
  return max
}

/** The int4 scale of a row with the least squared rounding error among {@link INT4_CLIP_FACTORS}. */
function int4Scale(row: Float32Array): number {
  const max = maxAbs(row)
  let best = 0
  let bestErr = Infinity
  for (const f of INT4_CLIP_FACTORS) {
    const s = Math.fround((max * f) / LEVELS[4])
    if (!(s > 0)) return 0
    let err = 0
    for (let i = 0; i < row.length; i++) {
      const q = Math.max(-LEVELS[4], Math.min(LEVELS[4], Math.round(row[i]! / s))) * s
      err += (row[i]! - q) ** 2
    }
    if (err < bestErr) {
      bestErr = err
      best = s
    }
  }
  return best
}

/** The code width of every row, from per-tensor widths (all 8 when absent). */
function bitsPerRow(layout: ModelLayout, bits?: readonly CodeBits[]): CodeBits[] {
  if (bits !== undefined && bits.length !== layout.length) throw new Error(`${bits.length} code widths for a layout of ${layout.length} tensors`)
  const out: CodeBits[] = []
  layout.forEach((t, i) => {
    const b = bits?.[i] ?? 8
    if (b !== 4 && b !== 8) throw new Error(`tensor ${t.name} has code width ${String(b)}; widths are 4 or 8`)
    const width = t.shape[t.shape.length - 1] ?? 1
    for (let r = 0; r < tensorSize(t.shape) / width; r++) out.push(b)
  })
  return out
}

/**
 * Float32 weights of quantised rows: code × scale of its row.
 * @throws Error naming a scale that is negative or not finite, or a code outside its width's
 *   symmetric range (−128 for int8, −8 for int4, which the encoder never writes)
 * @example dequantiseRows(scales, codes, layout) // each weight within half a step of the master's
 */
export function dequantiseRows(scales: Float32Array, codes: Int8Array, layout: ModelLayout, bits?: readonly CodeBits[]): Float32Array {
  const widths = rowWidths(layout)
  if (scales.length !== widths.length) throw new Error(`model has ${scales.length} row scales, its layout has ${widths.length} rows`)
  const rowBits = bitsPerRow(layout, bits)
  const out = new Float32Array(codes.length)
  let off = 0
  widths.forEach((w, r) => {
    const s = scales[r]!
    if (!(Number.isFinite(s) && s >= 0)) throw new Error(`row ${r} has scale ${s}; a scale is a finite max-abs value`)
    const levels = LEVELS[rowBits[r]!]
    for (let i = off; i < off + w; i++) {
      if (codes[i]! < -levels || codes[i]! > levels) throw new Error(`weight ${i} has code ${codes[i]}, outside −${levels}..${levels}`)
      out[i] = codes[i]! * s
    }
    off += w
  })
  return out
}

/**
 * Packs int4 codes (−7..7) two to a byte, the first in the low nibble (two's complement); an odd
 * count leaves the last high nibble 0.
 * @example packInt4(Int8Array.of(1, -1, 7)) // Uint8Array [0xf1, 0x07]
 */
export function packInt4(codes: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2))
  for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i]! & 0xf) << ((i & 1) * 4)
  return out
}

/** The `count` codes of {@link packInt4}'s bytes, sign-extended (−8 comes back as −8 for the caller to refuse). */
export function unpackInt4(bytes: Uint8Array, count: number): Int8Array {
  const out = new Int8Array(count)
  for (let i = 0; i < count; i++) {
    const nibble = (bytes[i >> 1]! >> ((i & 1) * 4)) & 0xf
    out[i] = nibble >= 8 ? nibble - 16 : nibble
  }
  return out
}
