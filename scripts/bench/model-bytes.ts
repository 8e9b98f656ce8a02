/**
 * Bench section: what one device downloads (the global model) and uploads (one update) for a
 * Diginetica-size catalogue, against the 1 MB / 128 KB budgets; and what would fit them.
 */
import { gzipSync } from 'node:zlib'
import { compressedSizes } from '../lib/bundle-sizes.mjs'
import { encodeModel, UPDATE_HEADER_BYTES } from '../../aggregator/src/index.js'
import type { Section } from './context.js'
import { catalogueConfig } from '../../sdk/src/model/config.js'
import { benchRound, DIGINETICA_ITEMS, paramsOf, syntheticModel, syntheticUpdates } from './synthetic.js'
import { verdict, Verdict } from './table.js'

export const DOWNLOAD_BUDGET = 1_000_000
export const UPLOAD_BUDGET = 128 * 1024

/**
 * Row-wise int8 quantisation (one float32 scale per row, values rounded to −127..127): what a
 * quantised download would weigh. Not the wire format; a measurement of the option.
 * @example int8Rows(new Float32Array([1, -0.5]), 2).length // 2 + 4
 */
export function int8Rows(weights: Float32Array, width: number): Uint8Array {
  const rows = Math.ceil(weights.length / width)
  const out = new Uint8Array(weights.length + 4 * rows)
  const dv = new DataView(out.buffer)
  for (let r = 0; r < rows; r++) {
    const row = weights.subarray(r * width, (r + 1) * width)
    let max = 0
    for (const x of row) max = Math.max(max, Math.abs(x))
    const scale = max / 127 || 1
    dv.setFloat32(4 * r, scale, true)
    for (let i = 0; i < row.length; i++) out[4 * rows + r * width + i] = Math.round(row[i]! / scale) & 0xff
  }
  return out
}

export const modelBytesSection: Section = {
  name: 'model',
  async run(ctx) {
    const cfg = catalogueConfig(DIGINETICA_ITEMS, 0)
    const params = paramsOf(cfg)
    const model = syntheticModel(cfg)
    const bytes = encodeModel(model)
    // Brotli at quality 5, what a CDN applies on the fly; 11 would take a minute on 6 MB here.
    const dl = compressedSizes(bytes, 5)
    const descriptionGz = gzipSync(JSON.stringify(model.description), { level: 9 }).length
    const [update] = syntheticUpdates(cfg, benchRound(), 1)
    const up = { raw: update!.length, gz: gzipSync(update!, { level: 6 }).length }
    ctx.record('model.params', params)
    ctx.record('model.items', DIGINETICA_ITEMS)
    ctx.record('model.download_raw', dl.raw)
    ctx.record('model.download_gz', dl.gz)
    ctx.record('model.download_br5', dl.br)
    ctx.record('model.description_gz', descriptionGz)
    ctx.record('model.upload_bytes', up.raw)
    ctx.record('model.upload_gz', up.gz)
    const row = (metric: string, value: number, target?: string, v?: Verdict, note?: string) =>
      ctx.rows.push({ section: 'model (Diginetica, 43,097 items)', metric, value, unit: 'B', ...(target ? { target } : {}), ...(v ? { verdict: v } : {}), ...(note ? { note } : {}) })
    row('download gz (float32 weights)', dl.gz, '≤ 1 MB', verdict(dl.gz, DOWNLOAD_BUDGET), `${params.toLocaleString('en-US')} params; raw ${dl.raw.toLocaleString('en-US')}`)
    row('  of which vocabulary + description gz', descriptionGz, undefined, undefined, 'item ids, popularity, layout')
    row('upload per participation', up.raw, '≤ 128 KB', verdict(up.raw, UPLOAD_BUDGET), `dense noised delta; gz ${up.gz.toLocaleString('en-US')} (noise does not compress)`)

    // What would fit: measured encodings of the same weights, and the arithmetic of smaller updates.
    const updateHeader = up.raw - 4 * params
    const q8 = gzipSync(int8Rows(model.weights, cfg.dim), { level: 9 }).length + descriptionGz
    const f16 = 2 * params + descriptionGz // float16 mantissas of trained weights do not compress
    ctx.record('model.download_int8_gz', q8)
    ctx.record('model.download_f16_bytes', f16)
    row('download if float16 weights', f16, '≤ 1 MB', verdict(f16, DOWNLOAD_BUDGET), '2 B/param + description gz')
    row('download if int8 rows (+ f32 scale)', q8, '≤ 1 MB', verdict(q8, DOWNLOAD_BUDGET), 'measured gz of row-quantised weights')
    const maxItemsInt8 = Math.floor((DOWNLOAD_BUDGET - descriptionGz) / (cfg.dim + 4))
    ctx.record('model.int8_items_within_budget', maxItemsInt8)
    const dense = params - (cfg.numItems + 1) * cfg.dim
    const touchedRows = 200
    const sparse = UPDATE_HEADER_BYTES + 4 * (touchedRows + touchedRows * cfg.dim + dense)
    ctx.record('model.upload_touched_rows_bytes', sparse)
    row('upload if only 200 touched item rows', sparse, '≤ 128 KB', verdict(sparse, UPLOAD_BUDGET), 'row ids + rows + dense tensors; row ids leak the history unless hidden (SCALING.md)')
    const factor = up.raw / UPLOAD_BUDGET
    ctx.record('model.upload_reduction_needed', factor)
    ctx.rows.push({ section: 'model (Diginetica, 43,097 items)', metric: 'upload reduction needed', value: factor, unit: '×', note: `a ${Math.floor((UPLOAD_BUDGET - updateHeader) / 4).toLocaleString('en-US')}-float sketch or random-mask update would fit` })
  },
}
