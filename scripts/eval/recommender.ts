/** The contract every model in the evaluation harness implements, baselines and neural alike. */

import type { TrainData } from './data.js'

/** A value a model reports about its own configuration (shown in the results). */
export type ParamValue = string | number | boolean

/** Options the harness passes to {@link Recommender.fit}. */
export interface FitOptions {
  /** True under `--quick`: the data is already subsampled; keep epochs/rounds/grids small too. */
  readonly quick: boolean
  /** Seed for anything random in training, so runs repeat exactly. */
  readonly seed: number
  /** Free-form per-model parameters from `--param name.key=value` (strings; parse them). */
  readonly params: Readonly<Record<string, string>>
  /** Writes one line to stderr, prefixed with the model name. */
  log(message: string): void
  /** Reports training progress in [0, 1] (drives the progress bar; optional to call). */
  progress(fraction: number, label?: string): void
}

/** One point of a per-round learning curve (federated training), metrics in percent. */
export interface RoundPoint {
  readonly round: number
  readonly p20: number
  readonly mrr20: number
}

/** One point of a privacy/utility curve, metrics in percent. */
export interface EpsilonPoint {
  readonly epsilon: number
  readonly p20: number
  readonly mrr20: number
}

/** What a model reports after training, beyond the metrics the harness measures itself. */
export interface FitInfo {
  /** Size of everything the model needs to score (parameters, tables), in bytes. */
  readonly modelBytes: number
  /** Federated runs: bytes one client uploads over the whole training (null otherwise). */
  readonly uploadBytes?: number | null
  /** Differentially private runs: the (ε, δ) spent (null otherwise). */
  readonly epsilon?: number | null
  readonly delta?: number | null
  /** Federated runs: rounds trained (null otherwise). */
  readonly rounds?: number | null
  /**
   * Per-round curve for the plot. Compute it on a validation split ({@link carveValidation}),
   * or label clearly if on test; never select anything with test-set numbers.
   */
  readonly history?: readonly RoundPoint[]
  /** Extra privacy/utility points for the plot (e.g. one model trained at several ε). */
  readonly epsilonCurve?: readonly EpsilonPoint[]
  /** Hyperparameters actually used (e.g. the ones picked on validation), for the report. */
  readonly params?: Readonly<Record<string, ParamValue>>
}

/**
 * A next-item recommender. Scores are over item ids `0..maxId` (slot 0 unused); the harness
 * ranks the catalogue by them. Prefixes may hold ids never seen in training, even ids above
 * `maxId`: ignore those.
 * @example
 * class Constant implements Recommender {
 *   readonly name = 'constant'
 *   async fit() { return { modelBytes: 0 } }
 *   score(_prefix: Int32Array, out: Float32Array) { out.fill(1) }
 * }
 */
export interface Recommender {
  readonly name: string
  fit(data: TrainData, opts: FitOptions): Promise<FitInfo>
  /**
   * Writes the score of every item for the next click after `prefix` into `out` (length
   * `maxId + 1`). `out` arrives zero-filled, so sparse models only write their candidates.
   * Higher is better; ties are broken by item id, lower id first.
   */
  score(prefix: Int32Array, out: Float32Array): void
  /**
   * Optional batched scoring (neural models): row `b` of `out` (each `maxId + 1` long, all
   * zero-filled) receives the scores for `prefixes[b]`. Used instead of `score` when present.
   */
  scoreBatch?(prefixes: readonly Int32Array[], out: Float32Array): void | Promise<void>
  /**
   * Optional exact shortcut (neural models): the 1-based rank of each target under the same
   * scores and tie rule as {@link rankOf} would give from `scoreBatch`, or Infinity beyond
   * `limit` or outside the catalogue. Used instead of `scoreBatch` when present.
   */
  rankBatch?(prefixes: readonly Int32Array[], targets: Int32Array, limit: number): Promise<Float64Array>
  /** Preferred batch size for {@link Recommender.scoreBatch} (default 256). */
  readonly batchSize?: number
}

/** Builds a fresh, untrained model. */
export type ModelFactory = () => Recommender
