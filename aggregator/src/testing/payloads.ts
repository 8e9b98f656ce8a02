/** Test helper: payloads built the way the SDK builds them, from a seed (tests only, never shipped). */
import { seededRandomFill } from '../noise.js'
import { clipBitField, privatizeInPlace } from '../privatize.js'
import { encodeUpdate, type UpdatePayload } from '../protocol/update-codec.js'
import { layoutSize, type ModelLayout } from '../protocol/tensor-layout.js'
import { roundUpdateEncoding, type RoundConfig } from '../round-config.js'
import { encodingField } from '../protocol/update-encoding.js'
import { uploadLayout } from '../row-subset.js'

export interface HonestPayloadOptions {
  /** false: clip but add no noise (what a cheating device would send). Default true. */
  readonly noise?: boolean
  /** Write format 1 (no clip bit). */
  readonly v1?: boolean
  /** Scale of the raw delta's uniform entries. Default 0.1. */
  readonly scale?: number
}

/**
 * A seeded raw delta of `size` entries, uniform in [−scale/2, scale/2): what local training would
 * produce, before clipping and noise.
 * @example const d = seededDelta(1000, 7, 0.01)
 */
export function seededDelta(size: number, seed: number, scale: number): Float32Array {
  const words = new Uint32Array(size)
  seededRandomFill(seed)(words)
  return Float32Array.from(words, (w) => (w / 2 ** 32 - 0.5) * scale)
}

/**
 * A device's update for `round`: a seeded random delta, clipped and noised by `privatizeInPlace`,
 * with a seeded nonce, encoded in the round's update encoding (seeded stochastic rounding).
 * Returns the payload (its `data` the values before quantisation) and its bytes.
 * @example const { bytes } = honestPayload(round, layout, 7)
 */
export function honestPayload(round: RoundConfig, layout: ModelLayout, seed: number, opts: HonestPayloadOptions = {}): { payload: UpdatePayload; bytes: Uint8Array<ArrayBuffer> } {
  // A row-subset round's update carries the announced rows of one tensor (row-subset.ts).
  const sent = uploadLayout(layout, round.rowSubset)
  const delta = seededDelta(layoutSize(sent), seed, opts.scale ?? 0.1)
  const noised = opts.noise !== false
  const report = privatizeInPlace(delta, noised ? round : { ...round, noiseMultiplier: 0, adaptiveClipping: null }, seededRandomFill(seed + 1))
  const encoding = roundUpdateEncoding(round)
  const nonce = new Uint8Array(16)
  seededRandomFill(seed + 2)(new Uint32Array(nonce.buffer))
  const payload: UpdatePayload = {
    modelVersion: round.modelVersion,
    roundId: round.roundId,
    clipNorm: round.clipNorm,
    noiseMultiplier: round.noiseMultiplier,
    noiseMode: round.noiseMode,
    nonce,
    shapes: sent.map((t) => t.shape),
    data: delta,
    ...(opts.v1 ? {} : clipBitField(round, report)),
    ...(opts.v1 ? {} : encodingField(encoding)),
  }
  return { payload, bytes: encodeUpdate(payload, { ...(opts.v1 ? { formatVersion: 1 } : {}), random: seededRandomFill(seed + 3) }) }
}
