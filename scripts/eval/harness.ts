/** The evaluation pipeline behind the CLI: load plugins and data, subsample, run models, write files. */

import { existsSync } from 'node:fs'
import os from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { supportGroups, type CaseGroups, type GroupMetrics } from './breakdown.js'
import { ParamError } from './params.js'
import { loadDataset, quickSubsample, type Dataset } from './data.js'
import { renderPlot } from './plot.js'
import { PLUGIN_MODULES } from './plugins.js'
import type { ProgressSink } from './progress.js'
import type { ParamValue } from './recommender.js'
import { createModel, knownModels } from './registry.js'
import { runModels, toResultsJson, type ModelResult, type ResultsJson } from './run.js'

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** What {@link runEvaluation} needs; mirrors the CLI flags. */
export interface EvaluationOptions {
  readonly data: string
  /** Model names; empty = every registered model. */
  readonly models: readonly string[]
  readonly quick: boolean
  readonly seed: number
  readonly params: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly plugins: readonly string[]
  readonly out?: string
  readonly plot?: string
  /** Also report each model on groups of the test cases (breakdown.ts `supportGroups`). */
  readonly breakdown?: boolean
  readonly sink?: ProgressSink
  /** Called with each model's result as soon as it is known. */
  readonly onResult?: (r: ModelResult) => void
  /** Called with one-line notes (data set summary, subsample used). */
  readonly note?: (line: string) => void
  /** The command line recorded in the `.meta.json` (default: this process's arguments). */
  readonly command?: string
}

/** What a run produced. */
export interface EvaluationOutcome {
  readonly dataset: Dataset
  readonly results: readonly ModelResult[]
  readonly json: ResultsJson
  /** The subsample definition under `--quick`, else null. */
  readonly subsample: string | null
  /** The test cases' groups under `breakdown`, else null. */
  readonly groups: CaseGroups | null
}

/**
 * What the results JSON leaves out but a report needs (docs/RESULTS.md): the command line, when
 * and where it ran, the subsample, and per model the parameters used and the evaluation time.
 */
export interface RunMeta {
  readonly command: string
  readonly date: string
  readonly machine: string
  readonly node: string
  readonly subsample: string | null
  readonly models: Readonly<
    Record<string, { readonly params: Readonly<Record<string, ParamValue>>; readonly eval_seconds: number; readonly breakdown?: readonly GroupMetrics[] }>
  >
}

/**
 * Where {@link RunMeta} is written beside `--out`: `results.json` → `results.meta.json`.
 * @example metaPath('out/d.json') // 'out/d.meta.json'
 */
export function metaPath(out: string): string {
  return `${out.endsWith('.json') ? out.slice(0, -5) : out}.meta.json`
}

function runMeta(opts: EvaluationOptions, subsample: string | null, results: readonly ModelResult[]): RunMeta {
  const cpus = os.cpus()
  return {
    command: opts.command ?? `npm run eval -- ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    machine: `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    node: process.version,
    subsample,
    models: Object.fromEntries(
      results.map((r) => [
        r.json.name,
        { params: r.params, eval_seconds: Number(r.evalSeconds.toFixed(1)), ...(r.groups === undefined ? {} : { breakdown: r.groups.map(roundMetrics) }) },
      ]),
    ),
  }
}

/** A group's metrics rounded as the results JSON rounds them. */
function roundMetrics(m: GroupMetrics): GroupMetrics {
  const r = (x: number): number => Number(x.toFixed(4))
  return { group: m.group, cases: m.cases, p20: r(m.p20), mrr20: r(m.mrr20), ndcg20: r(m.ndcg20), hr10: r(m.hr10), ndcg10: r(m.ndcg10) }
}

const loaded = new Set<string>()

/**
 * Imports plugin modules (each registers models on import): {@link PLUGIN_MODULES}, the
 * `FEDREC_EVAL_PLUGINS` environment variable (comma-separated) and `extra`. Paths are relative
 * to the repository root, or absolute.
 * @example await loadPlugins(['scripts/eval-neural/register.ts'])
 */
export async function loadPlugins(extra: readonly string[]): Promise<void> {
  const env = (process.env['FEDREC_EVAL_PLUGINS'] ?? '').split(',').filter((s) => s.trim() !== '')
  for (const p of [...PLUGIN_MODULES, ...env, ...extra]) {
    const abs = resolve(REPO_ROOT, p.trim())
    if (loaded.has(abs)) continue
    if (!existsSync(abs)) throw new Error(`plugin module not found: ${abs}`)
    await import(pathToFileURL(abs).href)
    loaded.add(abs)
  }
}

/**
 * Runs the whole pipeline for one data set directory and writes `out` (JSON) and `plot` (SVG)
 * when given.
 * @example
 * const { json } = await runEvaluation({ data: '../shared/data/diginetica', models: ['pop'],
 *   quick: true, seed: 1, params: {}, plugins: [] })
 */
export async function runEvaluation(opts: EvaluationOptions): Promise<EvaluationOutcome> {
  await loadPlugins(opts.plugins)
  const names = opts.models.length > 0 ? opts.models : knownModels()
  for (const n of names) createModel(n) // fail on a bad name before loading anything
  for (const key of Object.keys(opts.params)) {
    if (!names.includes(key)) throw new ParamError(`--param for '${key}', which is not among the models run`)
  }
  const note = opts.note ?? ((): void => {})
  let ds = await loadDataset(opts.data)
  note(
    `data set ${ds.name}: ${ds.train.sessionCount} training sessions, ${ds.train.items.length} clicks, ` +
      `${ds.train.catalogue.length} items (ids 1..${ds.train.maxId}), ${ds.test.count} test cases`,
  )
  let subsample: string | null = null
  if (opts.quick) {
    const q = quickSubsample(ds)
    subsample = q.description
    ds = q
    note(subsample)
  }
  const groups = opts.breakdown === true ? supportGroups(ds.train, ds.test) : null
  const results = await runModels(ds, names, {
    quick: opts.quick,
    ...(groups === null ? {} : { groups }),
    seed: opts.seed,
    params: opts.params,
    ...(opts.sink !== undefined ? { sink: opts.sink } : {}),
    ...(opts.onResult !== undefined ? { onResult: opts.onResult } : {}),
  })
  const json = toResultsJson(opts.quick ? `${ds.name} (quick)` : ds.name, results)
  if (opts.out !== undefined) {
    await mkdir(dirname(resolve(opts.out)), { recursive: true })
    await writeFile(opts.out, JSON.stringify(json, null, 2) + '\n')
    await writeFile(metaPath(opts.out), JSON.stringify(runMeta(opts, subsample, results), null, 2) + '\n')
  }
  if (opts.plot !== undefined) {
    await mkdir(dirname(resolve(opts.plot)), { recursive: true })
    await writeFile(opts.plot, renderPlot(json.dataset, results))
  }
  return { dataset: ds, results, json, subsample, groups }
}
