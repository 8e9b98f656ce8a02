/**
 * Per-row server scales for a sparse table (FedSubAvg: Ding et al. 2022, "Federated Submodel
 * Optimization for Hot and Cold Data Features", NeurIPS; arXiv:2109.07704). FedAvg divides every
 * coordinate's summed update by the whole cohort, but a row of the item table is only moved by the
 * few clients whose local training touched it: a cold item's row gets a cohort-th of what its
 * clients taught it, and in a short run it barely leaves its initialisation. FedSubAvg divides a
 * row by the number of clients that touched it instead.
 *
 * The server must not learn which client touched which row, so the count here is an EXPECTED
 * one, from public numbers only: each row's share of all clicks (the shop's own page counts;
 * items are indexed by them, docs/MODEL.md), how many clicks a client holds on average, and how
 * many uniformly sampled negatives a client's local training draws. The scales multiply the
 * noised sum after aggregation, so they are post-processing: the privacy accounting is unchanged
 * (but the noise on a scaled row grows with its scale, which is why the scale is capped).
 */
import type { ModelDescription } from './protocol/model-codec.js'
import { tensorSize } from './protocol/tensor-layout.js'

/** What the expected touch count is computed from. */
export interface RowScaleOptions {
  /** Mean number of clicks (inputs and targets) a client's local data holds. */
  readonly clicksPerClient: number
  /** Mean number of negative rows a client's local training draws (uniformly over the rows). */
  readonly negativeDraws: number
  /** The largest scale a row gets (1 = plain FedAvg). */
  readonly maxScale: number
}

/**
 * The scale of every row: 1 / P(a client touches it), capped at `maxScale`, where
 * P = 1 − (1 − P_data)(1 − P_negative), P_data = 1 − exp(−clicksPerClient · share) and
 * P_negative = 1 − exp(−negativeDraws / (rows − 1)). Row 0 (padding) keeps 1.
 * @param counts clicks per row, row 0 the padding
 * @example rowTouchScales([0, 1000, 1], { clicksPerClient: 100, negativeDraws: 0, maxScale: 50 }) // ≈ [1, 1, 50]
 */
export function rowTouchScales(counts: ArrayLike<number>, opts: RowScaleOptions): Float32Array {
  const { clicksPerClient, negativeDraws, maxScale } = opts
  if (!(clicksPerClient >= 0) || !(negativeDraws >= 0)) throw new RangeError('clicksPerClient and negativeDraws must be ≥ 0')
  if (!(maxScale >= 1)) throw new RangeError(`maxScale must be ≥ 1, got ${maxScale}`)
  const rows = counts.length
  let total = 0
  for (let i = 1; i < rows; i++) {
    const c = counts[i]!
    if (!(c >= 0)) throw new RangeError(`row ${i} has count ${c}`)
    total += c
  }
  const out = new Float32Array(rows).fill(1)
  const missNeg = rows > 1 ? Math.exp(-negativeDraws / (rows - 1)) : 1
  for (let i = 1; i < rows; i++) {
    const missData = total > 0 ? Math.exp((-clicksPerClient * counts[i]!) / total) : 1
    const touch = 1 - missData * missNeg
    out[i] = touch > 0 ? Math.min(maxScale, 1 / touch) : maxScale
  }
  return out
}

/**
 * Multiplies each row of one tensor of a whole-model vector by its scale, in place.
 * @param offset where the tensor starts in the vector; @param width values per row
 * @example scaleRowsInPlace(sum, 0, 32, scales) // before the server's step
 */
export function scaleRowsInPlace(vector: Float64Array | Float32Array, offset: number, width: number, scales: Float32Array): void {
  if (offset < 0 || offset + scales.length * width > vector.length) throw new RangeError(`${scales.length} rows of ${width} from ${offset} do not fit a vector of ${vector.length}`)
  for (let r = 0; r < scales.length; r++) {
    const s = scales[r]!
    if (s === 1) continue
    const from = offset + r * width
    for (let j = from; j < from + width; j++) vector[j] = vector[j]! * s
  }
}

/**
 * The edge's defaults, for every catalogue size. `negativeDraws`: the SDK's 64 negatives a step, 2
 * local epochs of one batch of up to 64 examples (a device holds at most a few dozen;
 * LOCAL_TRAIN in sdk/src/worker/local-training.ts). `clicksPerClient`: a device's clicks, a guess
 * a deployment should replace with its own mean (FEDREC_ROW_SCALE_CLICKS). `maxScale`: chosen on
 * the harness's held-out curve (docs/results/validation/federated.md). Until 2026-12-07
 * catalogues of up to 2,000 items kept scale 1 (their devices trained over the full softmax,
 * which touches every row); once they sampled too, scaling them took the simulation's held-out
 * P@20 / MRR@20 at round 40 without noise from 30.79 / 19.68 to 58.91 / 21.81 on Diginetica's
 * 2,000 most clicked items and from 36.88 / 14.41 to 55.27 / 18.39 on YooChoose 1/64's, and left
 * the 200 most clicked where they were (91.75 / 47.80 against 92.08 / 47.00), where 64 negatives
 * a step reach most rows anyway (docs/results/validation/federated.md, "Row scales below 2,000
 * items").
 */
export const ROW_SCALE_DEFAULTS = { maxScale: 100, clicksPerClient: 20, negativeDraws: 64 * 2, noiseTolerance: 0.02 } as const

/** The round's noise and step, which bound how far a row may be scaled. */
export interface RowScaleNoise {
  /** Std of the Gaussian noise on each coordinate of the round's SUM (z·C, or z·C·√n in local mode). */
  readonly sumNoiseStd: number
  readonly serverLearningRate: number
  readonly expectedClients: number
  /** The most noise std a scaled row's step may carry per coordinate (default 0.02). */
  readonly noiseTolerance: number
}

/**
 * The largest scale whose step keeps a row's noise at most `noiseTolerance` per coordinate: a
 * row scaled by s moves by η·s·(sum + noise) / expected clients, so its noise std is
 * η·s·sumNoiseStd / expected clients. Scaling does not change a row's signal-to-noise ratio,
 * but a row that a client touches once in a hundred rounds would otherwise take a hundred
 * times the noise of a plain FedAvg step. Without noise it is `maxScale`; with the harness's
 * DP setting at ε = 8 (z = 0.58, η = 4, 128 clients: 0.018 a coordinate unscaled) it is 1.1.
 * Scaling the tail by 10 there took the held-out P@20 at round 40 from 17.14 to 10.20
 * (docs/results/validation/federated.md), so the tolerance sits at the unscaled step's noise.
 * @example noiseCappedMaxScale(100, { sumNoiseStd: 0, serverLearningRate: 8, expectedClients: 128, noiseTolerance: 0.02 }) // 100
 */
export function noiseCappedMaxScale(maxScale: number, n: RowScaleNoise): number {
  if (!(n.sumNoiseStd >= 0) || !(n.serverLearningRate > 0) || !(n.expectedClients > 0) || !(n.noiseTolerance > 0)) throw new RangeError('noise std ≥ 0, learning rate, expected clients and tolerance > 0 expected')
  if (n.sumNoiseStd === 0) return maxScale
  return Math.max(1, Math.min(maxScale, (n.noiseTolerance * n.expectedClients) / (n.serverLearningRate * n.sumNoiseStd)))
}

/** Where a model's scaled rows sit in its flat weight vector, and their scales. */
export interface ModelRowScales {
  readonly tensor: string
  readonly offset: number
  readonly width: number
  readonly scales: Float32Array
}

/**
 * The row scales of a published model's item table (`item_emb`), from the popularity its bundle
 * carries (counts, parallel to `vocab`), or null when there is nothing to scale: no popularity
 * or a compact table (rows shared by items).
 * @example modelRowScales(bundle.description, ROW_SCALE_DEFAULTS)?.scales[1] // the most popular item's
 */
export function modelRowScales(d: ModelDescription, opts: RowScaleOptions): ModelRowScales | null {
  if (opts.maxScale <= 1 || !d.popularity) return null
  if (d.popularity.length !== d.vocab.length) throw new RangeError(`the model's popularity has ${d.popularity.length} entries, its vocab ${d.vocab.length}`)
  let offset = 0
  for (const t of d.layout) {
    if (t.name === 'item_emb') {
      if (t.shape[0] !== d.vocab.length + 1) return null
      const counts = new Float64Array(d.vocab.length + 1)
      counts.set(d.popularity, 1)
      return { tensor: t.name, offset, width: tensorSize(t.shape.slice(1)), scales: rowTouchScales(counts, opts) }
    }
    offset += tensorSize(t.shape)
  }
  return null
}
