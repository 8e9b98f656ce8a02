/** Trains and evaluates the requested models on one data set and collects the results. */

import { GroupedSums, type CaseGroups, type GroupMetrics } from './breakdown.js'
import type { Dataset } from './data.js'
import { evaluateCases } from './evaluate.js'
import type { Metrics } from './metrics.js'
import { Progress, type ProgressSink } from './progress.js'
import type { EpsilonPoint, FitOptions, ParamValue, RoundPoint } from './recommender.js'
import { createModel } from './registry.js'

/** One row of the results JSON: the contract shared with the docs and the plots. */
export interface ModelResultJson {
  readonly name: string
  readonly p20: number
  readonly mrr20: number
  readonly ndcg20: number
  readonly hr10: number
  readonly ndcg10: number
  readonly train_seconds: number
  readonly model_bytes: number
  readonly upload_bytes: number | null
  readonly epsilon: number | null
  readonly delta: number | null
  readonly rounds: number | null
}

/** The results JSON written by `--out`: exactly these keys. */
export interface ResultsJson {
  readonly dataset: string
  readonly models: readonly ModelResultJson[]
}

/** A model's result with what the JSON leaves out (shown in the table and the plot). */
export interface ModelResult {
  readonly json: ModelResultJson
  readonly metrics: Metrics
  readonly evalSeconds: number
  readonly params: Readonly<Record<string, ParamValue>>
  readonly history: readonly RoundPoint[]
  readonly epsilonCurve: readonly EpsilonPoint[]
  /** Metrics per group of test cases, when the run was given groups (`--breakdown`). */
  readonly groups?: readonly GroupMetrics[]
}

/** Options of {@link runModels}. */
export interface RunOptions {
  readonly quick: boolean
  readonly seed: number
  /** Per-model parameters, keyed by model name, from `--param name.key=value`. */
  readonly params: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly sink?: ProgressSink
  /** Called after each model, e.g. to print a line as soon as it is known. */
  readonly onResult?: (r: ModelResult) => void
  /** Groups of `ds.test`'s cases to report each model on as well (breakdown.ts). */
  readonly groups?: CaseGroups
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits))

/**
 * Fits each model on `ds.train` (timed), then ranks every case of `ds.test` (timed separately),
 * one model at a time so memory and cores go to one model. Nothing here looks at `ds.test`
 * before the model is trained.
 * @example
 * const results = await runModels(ds, ['pop', 'item-knn'], { quick: false, seed: 1, params: {} })
 */
export async function runModels(
  ds: Dataset,
  names: readonly string[],
  options: RunOptions,
): Promise<ModelResult[]> {
  const sink: ProgressSink = options.sink ?? process.stderr
  const out: ModelResult[] = []
  // Create every model first so that a bad name fails before any training.
  const models = names.map((n) => createModel(n))
  for (const model of models) {
    const name = model.name
    const fitBar = new Progress(`${name} train`, sink)
    const fitOptions: FitOptions = {
      quick: options.quick,
      seed: options.seed,
      params: options.params[name] ?? {},
      log: (message) => {
        fitBar.clear()
        sink.write(`[${name}] ${message}\n`)
      },
      progress: (fraction, label) => fitBar.update(fraction, label),
    }
    const t0 = performance.now()
    const info = await model.fit(ds.train, fitOptions)
    const trainSeconds = (performance.now() - t0) / 1000
    fitBar.clear()

    const evalBar = new Progress(`${name} eval`, sink)
    const t1 = performance.now()
    const grouped = options.groups === undefined ? null : new GroupedSums(options.groups)
    const metrics = await evaluateCases(model, ds.test, ds.train, {
      progress: (done, total) => evalBar.update(done / total, `${done}/${total} cases`),
      ...(grouped === null ? {} : { onRank: (c: number, rank: number) => grouped.add(c, rank) }),
    })
    const evalSeconds = (performance.now() - t1) / 1000
    evalBar.clear()

    const json: ModelResultJson = {
      name,
      p20: round(metrics.p20, 4),
      mrr20: round(metrics.mrr20, 4),
      ndcg20: round(metrics.ndcg20, 4),
      hr10: round(metrics.hr10, 4),
      ndcg10: round(metrics.ndcg10, 4),
      train_seconds: round(trainSeconds, 3),
      model_bytes: info.modelBytes,
      upload_bytes: info.uploadBytes ?? null,
      epsilon: info.epsilon ?? null,
      delta: info.delta ?? null,
      rounds: info.rounds ?? null,
    }
    const result: ModelResult = {
      json,
      metrics,
      evalSeconds,
      params: info.params ?? {},
      history: info.history ?? [],
      epsilonCurve: info.epsilonCurve ?? [],
      ...(grouped === null ? {} : { groups: grouped.result() }),
    }
    out.push(result)
    options.onResult?.(result)
  }
  return out
}

/**
 * The results JSON object (exact key set and order of the contract).
 * @example JSON.stringify(toResultsJson('diginetica', results), null, 2)
 */
export function toResultsJson(dataset: string, results: readonly ModelResult[]): ResultsJson {
  return { dataset, models: results.map((r) => r.json) }
}
