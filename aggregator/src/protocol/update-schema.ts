/**
 * Schemas (valibot) for a device update once its bytes are parsed: the envelope on its own
 * (field ranges, shape table, finite values), then against the open round and the model
 * (round open, model version within the allowed lag, announced parameters, exact shapes, norm).
 * The byte-level reader in update-codec.ts only cuts the bytes into fields.
 */
import * as v from 'valibot'
import { l2Norm, sumOfSquares } from '../clip.js'
import { RejectReason } from '../errors.js'
import { honestNormRange, maxHonestClipBit } from '../privatize.js'
import { clientIndicatorNoiseStd, clientNoiseStd, NoiseMode, roundUpdateEncoding, type RoundConfig } from '../round-config.js'
import { uploadLayout } from '../row-subset.js'
import { checkRules, type SchemaRule } from './schema-rules.js'
import { shapesMatch, tensorSize, type ModelLayout } from './tensor-layout.js'
import { isQuantised, UpdateEncoding } from './update-encoding.js'

/** Bytes of the per-payload nonce. */
export const NONCE_BYTES = 16
/** Largest rank and tensor count a payload may announce (keeps decoding bounded). */
export const MAX_RANK = 4
export const MAX_TENSORS = 64

const uint32 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff))

/** One pass, no branch per value: Σx² is finite exactly when every x is (see `sumOfSquares`). */
function allFinite(data: ArrayLike<number>): boolean {
  return Number.isFinite(sumOfSquares(data))
}

function firstNonFinite(data: ArrayLike<number>): string {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return `value ${i} is ${data[i]}; every value must be finite`
  return 'every value must be finite'
}

/** The envelope's fields and their ranges, whatever round is open. */
export const UpdateEnvelopeSchema = v.pipe(
  v.object({
    modelVersion: uint32,
    roundId: v.pipe(uint32, v.minValue(1)),
    clipNorm: v.pipe(v.number(), v.finite('clip norm must be finite'), v.gtValue(0, 'clip norm must be positive')),
    noiseMultiplier: v.pipe(v.number(), v.finite('noise multiplier must be finite'), v.minValue(0, 'noise multiplier must be ≥ 0')),
    noiseMode: v.picklist([NoiseMode.Local, NoiseMode.Distributed]),
    nonce: v.pipe(v.instance(Uint8Array), v.check((n) => n.length === NONCE_BYTES, `nonce must be ${NONCE_BYTES} bytes`)),
    shapes: v.pipe(
      v.array(v.pipe(v.array(v.pipe(uint32, v.minValue(1, 'a dimension must be ≥ 1'))), v.minLength(1), v.maxLength(MAX_RANK))),
      v.minLength(1),
      v.maxLength(MAX_TENSORS),
    ),
    data: v.instance(Float32Array),
    clipBit: v.optional(
      v.object({
        countNoiseStd: v.pipe(v.number(), v.finite('clipped-count noise std must be finite'), v.minValue(0, 'clipped-count noise std must be ≥ 0')),
        value: v.number(),
      }),
    ),
    encoding: v.optional(v.picklist([UpdateEncoding.Int8, UpdateEncoding.Int4])),
  }),
  v.check((u) => u.shapes.reduce((n, s) => n + tensorSize(s), 0) === u.data.length, 'the shapes do not add up to the data length'),
)

const FiniteDataSchema = v.object({
  data: v.pipe(
    v.instance(Float32Array),
    v.check((d) => allFinite(d), (issue) => firstNonFinite(issue.input)),
  ),
  clipBit: v.optional(v.object({ value: v.pipe(v.number(), v.finite('the clip bit must be finite')) })),
})

/** Which tensor of a payload has the wrong shape, and what `whose` layout wants instead. */
function shapeMismatch(shapes: readonly (readonly number[])[], layout: ModelLayout, whose: string): string {
  const fmt = (s: readonly number[]) => `[${s.join(',')}]`
  if (shapes.length !== layout.length) return `${whose} has ${layout.length} tensors: ${layout.map((t) => fmt(t.shape)).join(' ')}; the payload has ${shapes.length}`
  const i = layout.findIndex((t, k) => fmt(t.shape) !== fmt(shapes[k]!))
  return `tensor ${layout[i]!.name} has shape ${fmt(shapes[i]!)}; ${whose} needs ${fmt(layout[i]!.shape)}`
}

/** Rules that need no round: structure (400 malformed), then finite values (400 non_finite). */
export const ENVELOPE_RULES: readonly SchemaRule[] = [
  { reason: RejectReason.Malformed, status: 400, schema: UpdateEnvelopeSchema },
  { reason: RejectReason.NonFinite, status: 400, schema: FiniteDataSchema },
]

/** Server-side acceptance settings that are not announced in the round. */
export interface AcceptanceOptions {
  /**
   * How many model versions behind the round's model an update may be computed on (0: only the
   * round's own model). A stale delta still moves the model in a useful direction for a small
   * lag (asynchronous FL, e.g. FedBuff), and is bounded by the same norm check.
   */
  readonly maxModelLag: number
}

/**
 * Rules of the open round, in the order the edge answers them: round open (409), model not
 * stale beyond the lag (409), the round's parameters and, with adaptive clipping, its clip bit
 * (422), a clip bit honest noise could produce (422), the model's shapes (422), a norm an honest
 * clip + noise could produce: neither above the clip plus noise nor so small that the announced
 * noise cannot be there (422).
 * @example checkRules(update, roundRules(round, layout, { maxModelLag: 0 }))
 */
export function roundRules(round: RoundConfig, model: ModelLayout, opts: AcceptanceOptions): SchemaRule[] {
  const oldest = Math.max(0, round.modelVersion - opts.maxModelLag)
  // What the round's updates carry: the model's tensors, or the announced rows of one of them.
  const layout = uploadLayout(model, round.rowSubset)
  const whose = round.rowSubset ? `the round's update (the rows of ${round.rowSubset.tensor} in its rowSubset)` : 'the model'
  const dims = layout.reduce((n, t) => n + tensorSize(t.shape), 0)
  const std = clientNoiseStd(round)
  const encoding = roundUpdateEncoding(round)
  // Quantised values sit within a rounding step of the noised ones: the range widens by the
  // most rounding can move the norm (update-encoding.ts, `maxQuantisationShift`).
  const { max: bound, min: floor } = honestNormRange(round.clipNorm, std, dims, encoding)
  const format = (e: UpdateEncoding) => (isQuantised(e) ? `${e} values (format 3)` : 'float32 values (format 1 or 2)')
  const adaptive = round.adaptiveClipping ?? null
  const bitStd = clientIndicatorNoiseStd(round)
  const bitBound = maxHonestClipBit(bitStd)
  // The two norm rules run one after the other on the same data: the first hands its norm to
  // the second (once), so a 100k-value update is read once for both.
  let handedOn: { readonly data: ArrayLike<number>; readonly norm: number } | null = null
  const normForCeiling = (data: ArrayLike<number>): number => {
    const norm = l2Norm(data)
    handedOn = { data, norm }
    return norm
  }
  const normForFloor = (data: ArrayLike<number>): number => {
    const norm = handedOn?.data === data ? handedOn.norm : l2Norm(data)
    handedOn = null
    return norm
  }
  // The wire carries float32: compare at that precision.
  const exactly = (want: number, what: string) =>
    v.pipe(v.number(), v.check((x) => Math.fround(x) === Math.fround(want), (i) => `${what} ${String(i.input)} differs from the round's ${want}`))
  return [
    {
      reason: RejectReason.RoundClosed,
      status: 409,
      schema: v.object({ roundId: v.literal(round.roundId, (i) => `round ${String(i.input)} is not open (open round: ${round.roundId})`) }),
    },
    {
      reason: RejectReason.StaleModel,
      status: 409,
      schema: v.object({
        modelVersion: v.pipe(
          v.number(),
          v.minValue(oldest, (i) => `update was computed on model ${String(i.input)}; the round trains model ${round.modelVersion} and accepts ${oldest}..${round.modelVersion}`),
          v.maxValue(round.modelVersion, (i) => `model ${String(i.input)} is newer than the round's model ${round.modelVersion}`),
        ),
      }),
    },
    {
      reason: RejectReason.ParameterMismatch,
      status: 422,
      schema: v.pipe(v.object({
        noiseMode: v.literal(round.noiseMode, (i) => `noise mode ${String(i.input)} differs from the round's ${round.noiseMode}`),
        clipNorm: exactly(round.clipNorm, 'clip norm'),
        noiseMultiplier: exactly(round.noiseMultiplier, 'noise multiplier'),
        clipBit: adaptive
          ? v.object(
              { countNoiseStd: exactly(adaptive.countNoiseStd, 'clipped-count noise') },
              'the round clips adaptively and needs the clip bit of payload format 2; this payload has none',
            )
          : v.optional(v.undefined('the round clips at a fixed norm; this payload carries a clip bit')),
        encoding: v.optional(v.string()),
      }),
      // On the whole object: a float32 payload has no `encoding` key for a field rule to see.
      v.check((u) => (u.encoding ?? UpdateEncoding.Float32) === encoding, (i) => `the round takes ${format(encoding)}; this payload has ${format((i.input.encoding ?? UpdateEncoding.Float32) as UpdateEncoding)}`),
      ),
    },
    {
      reason: RejectReason.ClipBitOutOfRange,
      status: 422,
      schema: v.object({
        clipBit: v.optional(
          v.object({
            value: v.pipe(
              v.number(),
              v.check((b) => Math.abs(b) <= bitBound, (i) => `clip bit ${String(i.input)} is further from ±0.5 than noise of std ${bitStd} allows`),
            ),
          }),
        ),
      }),
    },
    {
      reason: RejectReason.ShapeMismatch,
      status: 422,
      schema: v.object({
        shapes: v.pipe(
          v.array(v.array(v.number())),
          v.check((shapes) => shapesMatch(shapes, layout), (i) => shapeMismatch(i.input, layout, whose)),
        ),
      }),
    },
    {
      reason: RejectReason.NormTooLarge,
      status: 422,
      schema: v.object({
        data: v.pipe(
          v.instance(Float32Array),
          v.check((d) => normForCeiling(d) <= bound, (i) => `update norm ${l2Norm(i.input).toFixed(4)} exceeds ${bound.toFixed(4)}, the most clip ${round.clipNorm} plus noise${isQuantised(encoding) ? ` and ${encoding} rounding` : ''} allows`),
        ),
      }),
    },
    {
      reason: RejectReason.NoiseTooSmall,
      status: 422,
      schema: v.object({
        data: v.pipe(
          v.instance(Float32Array),
          v.check(
            (d) => normForFloor(d) >= floor,
            (i) => `update norm ${l2Norm(i.input).toFixed(4)} is below ${floor.toFixed(4)}, the least noise of std ${std.toPrecision(4)} per value leaves: the announced noise is missing`,
          ),
        ),
      }),
    },
  ]
}

/** Checks a parsed envelope on its own. @throws PayloadRejectedError */
export function checkEnvelope(u: unknown): void {
  checkRules(u, ENVELOPE_RULES)
}
