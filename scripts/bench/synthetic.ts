/** Synthetic models and device updates for the bench: real codecs and DP math, made-up numbers. */
import {
  encodeModel,
  encodeUpdate,
  encodingField,
  layoutSize,
  NONCE_BYTES,
  NoiseMode,
  privatizeInPlace,
  roundUpdateEncoding,
  seededRandomFill,
  uploadLayout,
  type ModelBundle,
  type RoundConfig,
} from '../../aggregator/src/index.js'
import { modelLayout, type SessionModelConfig } from '../../sdk/src/model/config.js'
import { initWeights } from '../../sdk/src/model/init-weights.js'

/** Items in the Diginetica (CIKM Cup 2016) training catalogue, the scale issue 8 budgets for. */
export const DIGINETICA_ITEMS = 43_097
/** Largest Diginetica item id: the synthetic vocabulary spreads its ids up to it. */
const DIGINETICA_MAX_ID = 184_047

/** The session model as the SDK ships it (32-wide, last 10 items) over `numItems` items. */
export function sessionConfig(numItems: number, dim = 32, maxLen = 10): SessionModelConfig {
  return { numItems, dim, maxLen, numCategories: 0 }
}

/**
 * Items needed for a session model of about `params` weights at width 32 (at least 1).
 * @example paramsOf(sessionConfig(itemsForParams(100_000))) // ≈ 100k
 */
export function itemsForParams(params: number, dim = 32, maxLen = 10): number {
  const fixed = paramsOf(sessionConfig(1, dim, maxLen)) - 2 * dim
  return Math.max(1, Math.round((params - fixed) / dim) - 1)
}

/** Number of weights of a session model. */
export function paramsOf(cfg: SessionModelConfig): number {
  return modelLayout(cfg).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)
}

/**
 * A model bundle as the edge publishes it: layout, config, a vocabulary of numeric item ids
 * spread like Diginetica's, a Zipf-like popularity list, seeded initial weights.
 */
export function syntheticModel(cfg: SessionModelConfig, version = 0, seed = 2026): ModelBundle {
  const vocab = Array.from({ length: cfg.numItems }, (_, i) => String(1 + Math.floor((i * DIGINETICA_MAX_ID) / Math.max(1, cfg.numItems))))
  const popularity = Array.from({ length: cfg.numItems }, (_, i) => Math.max(1, Math.round(5000 / (1 + i))))
  return {
    version,
    description: { layout: modelLayout(cfg), config: { ...cfg }, vocab, popularity },
    weights: initWeights(cfg, seed),
  }
}

/** Encoded bytes of {@link syntheticModel}. */
export function syntheticModelBytes(cfg: SessionModelConfig, version = 0): Uint8Array<ArrayBuffer> {
  return encodeModel(syntheticModel(cfg, version))
}

/** The round the bench's updates are made for: local DP noise z = 0.1, C = 1. */
export function benchRound(modelVersion = 0, roundId = 1): RoundConfig {
  return {
    roundId,
    modelVersion,
    clipNorm: 1,
    noiseMultiplier: 0.1,
    noiseMode: NoiseMode.Local,
    minClients: 1,
    expectedClients: 1_000_000,
    serverLearningRate: 1,
    sampleRate: 1,
    deadline: Date.now() + 3600_000,
  }
}

/**
 * `count` distinct encoded updates for `cfg`, each a small random delta clipped and noised as
 * a device does (so they pass `validateUpdate`), in the round's update encoding, with nonces
 * numbered from `firstNonce`.
 */
export function syntheticUpdates(cfg: SessionModelConfig, round: RoundConfig, count: number, firstNonce = 0): Uint8Array<ArrayBuffer>[] {
  // A row-subset round's update carries the announced rows of the item table.
  const layout = uploadLayout(modelLayout(cfg), round.rowSubset)
  const size = layoutSize(layout)
  const out: Uint8Array<ArrayBuffer>[] = []
  for (let k = 0; k < count; k++) {
    const fill = seededRandomFill(1000 + k)
    const delta = new Float32Array(size)
    privatizeInPlace(delta, { ...round, noiseMultiplier: 0.01 }, fill) // the "training" signal
    privatizeInPlace(delta, round, fill) // the device's clip + DP noise
    out.push(encodeUpdate({ ...roundFields(round), nonce: nonceBytes(firstNonce + k), shapes: layout.map((t) => t.shape), data: delta, ...encodingField(roundUpdateEncoding(round)) }, { random: fill }))
  }
  return out
}

function roundFields(r: RoundConfig) {
  return { modelVersion: r.modelVersion, roundId: r.roundId, clipNorm: r.clipNorm, noiseMultiplier: r.noiseMultiplier, noiseMode: r.noiseMode }
}

/** Offset of the nonce in an encoded update (docs/PAYLOAD.md). */
export const NONCE_OFFSET = 24

/** A 16-byte nonce holding `n` in its first 8 bytes: unique per request, as the edge requires. */
export function nonceBytes(n: number): Uint8Array {
  const b = new Uint8Array(NONCE_BYTES)
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true)
  return b
}
