/**
 * The upload budget of one participation (issue 8 / issue 3: ≤ 128 KB for a Diginetica-size
 * catalogue) and the update encoding that keeps a model's updates inside it.
 */
import { updateBytes } from './protocol/update-codec.js'
import { UpdateEncoding } from './protocol/update-encoding.js'

/** Bytes one update may take on the wire: 128 KiB. */
export const UPLOAD_BUDGET_BYTES = 128 * 1024

/**
 * The most precise encoding (float32, then int8, then int4) whose update of these shapes fits
 * {@link UPLOAD_BUDGET_BYTES}; int4 when none does (the bench and the eval report the excess).
 * @example uploadEncodingFor([[195, 32]]) // 'float32'
 */
export function uploadEncodingFor(shapes: readonly (readonly number[])[], budget = UPLOAD_BUDGET_BYTES): UpdateEncoding {
  for (const e of [UpdateEncoding.Float32, UpdateEncoding.Int8]) if (updateBytes(shapes, e) <= budget) return e
  return UpdateEncoding.Int4
}
