/**
 * The encodings the edge uses unless its environment says otherwise (FEDREC_UPDATE_ENCODING,
 * FEDREC_MODEL_ENCODING): one place to change them. Sizes for the Diginetica-size compact model
 * (245k parameters) are in docs/BENCHMARKS.md (`npm run bench`, model rows): an int8 update is
 * ~1 byte a parameter, an int4 one ~½ byte (the 128 KB upload budget needs int4 above ~125k
 * parameters); the int8-row model gzips to ~1.07 bytes a parameter plus the vocabulary.
 */
import { ModelEncoding } from './model-encoding.js'
import { UpdateEncoding } from './update-encoding.js'

/**
 * Default wire encodings: updates quantised to int8 after clipping and noise (format 3), the
 * published model as int8 rows (model format 2).
 * @example roundSettings(env).updateEncoding // WIRE_DEFAULTS.updateEncoding unless FEDREC_UPDATE_ENCODING is set
 */
export const WIRE_DEFAULTS = {
  updateEncoding: UpdateEncoding.Int8,
  modelEncoding: ModelEncoding.Int8Rows,
} as const satisfies { readonly updateEncoding: UpdateEncoding; readonly modelEncoding: ModelEncoding }
