/**
 * Bench section: what one device downloads (the global model) and uploads (one update) for a
 * Diginetica-size catalogue, in the encodings the edge ships (`modelEncodingFor`,
 * `roundUpdateEncodingFor`; docs/PAYLOAD.md),
 * against the 1 MB / 128 KB budgets; and the other encodings measured beside them.
 */
import { gzipSync } from 'node:zlib'
import { compressedSizes } from '../lib/bundle-sizes.mjs'
import { encodeModel, ModelEncoding, modelEncodingFor, roundUpdateEncodingFor, rowSubsetForRound, rowSubsetPlan, UpdateEncoding, uploadEncodingFor } from '../../aggregator/src/index.js'
import type { Section } from './context.js'
import { catalogueConfig, modelLayout } from '../../sdk/src/model/config.js'
import { benchRound, DIGINETICA_ITEMS, paramsOf, syntheticModel, syntheticUpdates } from './synthetic.js'
import { verdict, Verdict } from './table.js'

export const DOWNLOAD_BUDGET = 1_000_000
export const UPLOAD_BUDGET = 128 * 1024

/**
 * IEEE half-precision bits of a float32 (round to nearest even, subnormals, ±∞ above 65504):
 * the float16 download option the bench measures beside int8 rows. Not a wire format.
 * @example float16Bits(1) // 0x3c00
 */
export function float16Bits(x: number): number {
  const f = new Float32Array([x])
  const u = new Uint32Array(f.buffer)[0]!
  const sign = (u >>> 16) & 0x8000
  const exp = (u >>> 23) & 0xff
  const man = u & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    const m = man | 0x800000
    const shift = 14 - e
    const half = 1 << (shift - 1)
    const rest = m & ((1 << shift) - 1)
    let h = m >>> shift
    if (rest > half || (rest === half && (h & 1) === 1)) h++
    return sign | h
  }
  let h = (e << 10) | (man >>> 13)
  const rest = man & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++
  return sign | h
}

/** The weights as float16, little-endian: what a float16 download's weights would weigh. */
export function float16Weights(weights: Float32Array): Uint8Array {
  const out = new Uint16Array(weights.length)
  for (let i = 0; i < weights.length; i++) out[i] = float16Bits(weights[i]!)
  return new Uint8Array(out.buffer)
}

export const modelBytesSection: Section = {
  name: 'model',
  async run(ctx) {
    const cfg = catalogueConfig(DIGINETICA_ITEMS, 0)
    const params = paramsOf(cfg)
    const layout = modelLayout(cfg)
    const shapes = layout.map((t) => t.shape)
    const model = syntheticModel(cfg)
    // What the edge publishes for this model when FEDREC_MODEL_ENCODING is unset; Brotli at
    // quality 5, what a CDN applies on the fly.
    const shippedEncoding = modelEncodingFor(layout)
    const shipped = compressedSizes(encodeModel(model, { encoding: shippedEncoding }), 5)
    const others = Object.values(ModelEncoding).filter((e) => e !== shippedEncoding && e !== ModelEncoding.Float32)
    const otherGz = others.map((e) => ({ e, gz: gzipSync(encodeModel(model, { encoding: e }), { level: 9 }).length }))
    const f32 = compressedSizes(encodeModel(model, { encoding: ModelEncoding.Float32 }), 5)
    const descriptionGz = gzipSync(JSON.stringify(model.description), { level: 9 }).length
    const f16 = gzipSync(float16Weights(model.weights), { level: 9 }).length + descriptionGz
    // Each encoding's update as the edge would announce the round: with the row subset that fits
    // the budget at that encoding when the whole update does not (aggregator/src/row-subset.ts).
    const uploads = Object.fromEntries(
      Object.values(UpdateEncoding).map((e) => {
        const plan = rowSubsetPlan(layout, e)
        const rows = plan ? plan.hotRows + plan.windowRows : shapes[0]![0]!
        const [u] = syntheticUpdates(cfg, { ...benchRound(), updateEncoding: e, ...(plan ? { rowSubset: rowSubsetForRound(layout, plan, 0) } : {}) }, 1)
        return [e, { raw: u!.length, gz: gzipSync(u!, { level: 6 }).length, rows }]
      }),
    ) as Record<UpdateEncoding, { raw: number; gz: number; rows: number }>
    // What the edge announces for this model when FEDREC_UPDATE_ENCODING is unset.
    const announced = roundUpdateEncodingFor(null, shapes)
    const up = uploads[announced]
    const fitting = uploadEncodingFor(shapes)
    ctx.record('model.params', params)
    ctx.record('model.items', DIGINETICA_ITEMS)
    ctx.record('model.download_raw', shipped.raw)
    ctx.record('model.download_gz', shipped.gz)
    ctx.record('model.download_br5', shipped.br)
    ctx.record('model.download_f32_gz', f32.gz)
    ctx.record('model.download_f16_gz', f16)
    ctx.record('model.download_encoding', shippedEncoding)
    for (const o of otherGz) ctx.record(`model.download_${o.e.replace('-rows', '')}_gz`, o.gz)
    ctx.record('model.description_gz', descriptionGz)
    ctx.record('model.upload_bits', { float32: 32, int8: 8, int4: 4 }[announced])
    ctx.record('model.upload_bytes', up.raw)
    ctx.record('model.upload_gz', up.gz)
    ctx.record('model.upload_rows', up.rows)
    ctx.record('model.table_rows', shapes[0]![0]!)
    for (const e of Object.values(UpdateEncoding)) ctx.record(`model.upload_${e}_bytes`, uploads[e].raw)
    const section = `model (Diginetica, 43,097 items, ${params.toLocaleString('en-US')} params)`
    const row = (metric: string, value: number, target?: string, v?: Verdict, note?: string) =>
      ctx.rows.push({ section, metric, value, unit: 'B', ...(target ? { target } : {}), ...(v ? { verdict: v } : {}), ...(note ? { note } : {}) })
    row(`download gz (${shippedEncoding}, shipped)`, shipped.gz, '≤ 1 MB', verdict(shipped.gz, DOWNLOAD_BUDGET), `raw ${shipped.raw.toLocaleString('en-US')}; br5 ${shipped.br.toLocaleString('en-US')}`)
    row('  of which vocabulary + description gz', descriptionGz, undefined, undefined, 'item ids, popularity, layout')
    for (const o of otherGz) row(`download gz if ${o.e}`, o.gz, '≤ 1 MB', verdict(o.gz, DOWNLOAD_BUDGET), 'model format 2')
    row('download gz if float16 weights', f16, '≤ 1 MB', verdict(f16, DOWNLOAD_BUDGET), 'measured: float16 weights gz + description gz')
    row('download gz if float32 weights', f32.gz, '≤ 1 MB', verdict(f32.gz, DOWNLOAD_BUDGET), 'model format 1')
    for (const e of Object.values(UpdateEncoding)) {
      const shippedNote = e === announced ? ', shipped: what the edge announces for this model' : ''
      const fitNote = e === fitting ? '; the most precise within budget (uploadEncodingFor)' : ''
      const rowsNote = uploads[e].rows < shapes[0]![0]! ? `; row subset: ${uploads[e].rows.toLocaleString('en-US')} of ${shapes[0]![0]!.toLocaleString('en-US')} table rows a round` : ''
      row(`upload per participation (${e}${shippedNote})`, uploads[e].raw, '≤ 128 KB', verdict(uploads[e].raw, UPLOAD_BUDGET), `noised delta; gz ${uploads[e].gz.toLocaleString('en-US')} (noise does not compress)${fitNote}${rowsNote}`)
    }
  },
}
