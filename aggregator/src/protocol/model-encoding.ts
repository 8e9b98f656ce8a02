/**
 * How a published model's weights travel (GET /v1/model): float32 (format 1), or int8 with one
 * float32 max-abs scale per row (format 2), what the edge publishes by default. Measured on the
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
  /** 1 byte a weight, codes −127..127 times a float32 scale per row (format 2). */
  Int8Rows: 'int8-rows',
} as const
export type ModelEncoding = (typeof ModelEncoding)[keyof typeof ModelEncoding]

/** Largest int8 code: −128 stays unused so the range is symmetric (a decoder refuses it). */
const LEVELS = 127

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
 * Quantises weights row by row to int8 with round-to-nearest (deterministic: the same master
 * weights always publish the same bytes): scale s = max|row| / 127, code = round(w / s).
 * @example const { scales, codes } = quantiseRows(weights, layout)
 */
export function quantiseRows(weights: Float32Array, layout: ModelLayout): { scales: Float32Array; codes: Int8Array } {
  const widths = rowWidths(layout)
  const scales = new Float32Array(widths.length)
  const codes = new Int8Array(weights.length)
  let off = 0
  widths.forEach((w, r) => {
    let max = 0
    for (let i = off; i < off + w; i++) max = Math.max(max, Math.abs(weights[i]!))
    const s = Math.fround(max / LEVELS)
    scales[r] = s
    if (s > 0) for (let i = off; i < off + w; i++) codes[i] = Math.max(-LEVELS, Math.min(LEVELS, Math.round(weights[i]! / s)))
    off += w
  })
  return { scales, codes }
}

/**
 * Float32 weights of int8 rows: code × scale of its row.
 * @throws Error naming a scale that is negative or not finite, or the unused code −128
 * @example dequantiseRows(scales, codes, layout) // each weight within half a step of the master's
 */
export function dequantiseRows(scales: Float32Array, codes: Int8Array, layout: ModelLayout): Float32Array {
  const widths = rowWidths(layout)
  if (scales.length !== widths.length) throw new Error(`model has ${scales.length} row scales, its layout has ${widths.length} rows`)
  const out = new Float32Array(codes.length)
  let off = 0
  widths.forEach((w, r) => {
    const s = scales[r]!
    if (!(Number.isFinite(s) && s >= 0)) throw new Error(`row ${r} has scale ${s}; a scale is a finite max-abs value`)
    for (let i = off; i < off + w; i++) {
      if (codes[i] === -128) throw new Error(`weight ${i} has code −128, outside −127..127`)
      out[i] = codes[i]! * s
    }
    off += w
  })
  return out
}
