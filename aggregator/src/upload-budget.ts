/**
 * The upload budget of one participation (issue 8 / issue 3: ≤ 128 KB for a Diginetica-size
 * catalogue) and the update encoding that keeps a model's updates inside it.
 */
import { updateBytes } from './protocol/update-codec.js'
import { UpdateEncoding } from './protocol/update-encoding.js'
import { WIRE_DEFAULTS } from './protocol/wire-defaults.js'

/** Bytes one update may take on the wire: 128 KiB. */
export const UPLOAD_BUDGET_BYTES = 128 * 1024

/** Encodings from the most to the least precise. */
const BY_PRECISION: readonly UpdateEncoding[] = [UpdateEncoding.Float32, UpdateEncoding.Int8, UpdateEncoding.Int4]

/**
 * The most precise encoding, no more precise than `prefer` (float32, then int8, then int4),
 * whose update of these shapes fits the budget; int4 when none does (the bench and the eval
 * report the excess).
 * @example uploadEncodingFor([[195, 32]]) // 'float32'
 * @example uploadEncodingFor([[7501, 32]], { prefer: 'int8' }) // 'int4': int8 would take 240 KB
 */
export function uploadEncodingFor(
  shapes: readonly (readonly number[])[],
  opts: { readonly prefer?: UpdateEncoding; readonly budget?: number } = {},
): UpdateEncoding {
  const budget = opts.budget ?? UPLOAD_BUDGET_BYTES
  for (const e of BY_PRECISION.slice(BY_PRECISION.indexOf(opts.prefer ?? UpdateEncoding.Float32))) if (updateBytes(shapes, e) <= budget) return e
  return UpdateEncoding.Int4
}

/**
 * The encoding a round announces for a model of these shapes: the configured one
 * (FEDREC_UPDATE_ENCODING), or else WIRE_DEFAULTS.updateEncoding made coarser until an update
 * fits the upload budget (`budget`, default 128 KiB).
 * @example roundUpdateEncodingFor(null, layout.map((t) => t.shape)) // 'int4' for a 245k-parameter model
 */
export function roundUpdateEncodingFor(configured: UpdateEncoding | null, shapes: readonly (readonly number[])[], budget = UPLOAD_BUDGET_BYTES): UpdateEncoding {
  return configured ?? uploadEncodingFor(shapes, { prefer: WIRE_DEFAULTS.updateEncoding, budget })
}
