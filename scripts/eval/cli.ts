/** `npm run eval`: offline next-item evaluation of the registered models on one data set. */

import { pathToFileURL } from 'node:url'
import { breakdownTable } from './breakdown.js'
import { QUICK } from './data.js'
import { runEvaluation } from './harness.js'
import { ParamError } from './params.js'
import { markdownTable, paramNotes } from './report.js'
import { describeModel, knownModels, UnknownModelError } from './registry.js'

/** Parsed command line. */
export interface CliArgs {
  readonly data: string
  readonly models: readonly string[]
  readonly quick: boolean
  readonly out?: string
  readonly plot?: string
  /** `--breakdown`: also report each model on groups of the test cases. */
  readonly breakdown?: boolean
  readonly seed: number
  readonly params: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly plugins: readonly string[]
}

/** A command line the CLI cannot run; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The `--help` text. */
export function usage(): string {
  return `Usage: npm run eval -- --data DIR [--models a,b,…] [--quick] [--out results.json] [--plot plot.svg]
                        [--breakdown] [--param model.key=value]… [--plugin module.ts]… [--seed N]

Ranks the next item of every case in DIR/test.tsv against the whole catalogue (every item id in
DIR/train_sessions.txt) and reports P@20 (= HR@20 = Recall@20), MRR@20, NDCG@20, HR@10, NDCG@10 in
percent, training time and model size. Ties: items scoring the same as the target count above it
iff their id is smaller (the order a real top-K list shows). Unseen target = miss.

  --data DIR        data set directory (train_sessions.txt, test.tsv)
  --models LIST     comma-separated model names (default: all registered)
  --quick           the most recent ${QUICK.trainSessions} training sessions and at most ${QUICK.testCases} test cases
                    (every ceil(T/${QUICK.testCases})-th line of test.tsv)
  --out FILE        write the results JSON
  --plot FILE       write an SVG plot (utility vs ε / rounds, or bars per model); default with
                    --out: the same path with .svg instead of .json
  --breakdown       also P@20 / MRR@20 per group of test cases: next item already in the prefix,
                    else by how many training sessions hold it (0, 1–9, 10–29, 30–99, 100+);
                    printed after the table and written to the .meta.json beside --out
  --param M.K=V     model parameter, e.g. --param pop.count=all --param session-knn.k=100
  --plugin FILE     import a module that registers more models (also FEDREC_EVAL_PLUGINS=a,b)
  --seed N          seed for models that use randomness (default 1)

Registered models: ${knownModels()
    .map((n) => `${n}${describeModel(n) ? ` (${describeModel(n)})` : ''}`)
    .join(', ')}
`
}

/**
 * Where the plot goes when only `--out` is given: beside the JSON, `.svg` instead of `.json`.
 * @example defaultPlotPath('out/results.json') // 'out/results.svg'
 */
export function defaultPlotPath(out: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -5)}.svg` : `${out}.svg`
}

/**
 * Parses the CLI arguments (everything after `--`).
 * @example parseArgs(['--data', 'd', '--models', 'pop,spop']).models // ['pop', 'spop']
 */
export function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  let data: string | undefined
  let models: string[] = []
  let quick = false
  let breakdown = false
  let out: string | undefined
  let plot: string | undefined
  let seed = 1
  const params: Record<string, Record<string, string>> = {}
  const plugins: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const eq = flag.startsWith('--') ? flag.indexOf('=') : -1
    const name = eq > 0 ? flag.slice(0, eq) : flag
    const value = (): string => {
      if (eq > 0) return flag.slice(eq + 1)
      const v = argv[++i]
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`)
      return v
    }
    switch (name) {
      case '--help':
      case '-h':
        return 'help'
      case '--data':
        data = value()
        break
      case '--models':
        models = value()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
        break
      case '--quick':
        quick = true
        break
      case '--breakdown':
        breakdown = true
        break
      case '--out':
        out = value()
        break
      case '--plot':
        plot = value()
        break
      case '--seed': {
        const v = value()
        seed = Number(v)
        if (!Number.isInteger(seed)) throw new UsageError(`--seed ${v} is not an integer`)
        break
      }
      case '--param': {
        const v = value()
        const m = /^([a-z0-9][a-z0-9._-]*?)\.([A-Za-z0-9_]+)=(.*)$/.exec(v)
        if (m === null) throw new UsageError(`--param ${v}: expected model.key=value`)
        ;(params[m[1]!] ??= {})[m[2]!] = m[3]!
        break
      }
      case '--plugin':
        plugins.push(value())
        break
      default:
        throw new UsageError(`unknown argument '${flag}' (see --help)`)
    }
  }
  if (data === undefined) throw new UsageError('--data DIR is required (see --help)')
  return {
    data,
    models,
    quick,
    seed,
    params,
    plugins,
    ...(breakdown ? { breakdown } : {}),
    ...(out !== undefined ? { out } : {}),
    ...(plot !== undefined ? { plot } : out !== undefined ? { plot: defaultPlotPath(out) } : {}),
  }
}

/**
 * Runs the CLI; resolves to the process exit code.
 * @example process.exitCode = await main(process.argv.slice(2))
 */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help'
  try {
    args = parseArgs(argv)
  } catch (e) {
    process.stderr.write(`eval: ${(e as Error).message}\n`)
    return 2
  }
  if (args === 'help') {
    process.stdout.write(usage())
    return 0
  }
  const note = (line: string): void => void process.stderr.write(`${line}\n`)
  let outcome: Awaited<ReturnType<typeof runEvaluation>>
  try {
    outcome = await runEvaluation({
      ...args,
      note,
      onResult: (r) =>
        note(
          `${r.json.name}: P@20 ${r.json.p20.toFixed(2)}  MRR@20 ${r.json.mrr20.toFixed(2)}  ` +
            `(train ${r.json.train_seconds.toFixed(1)} s, eval ${r.evalSeconds.toFixed(1)} s)`,
        ),
    })
  } catch (e) {
    // A wrong model name or parameter is a usage error (exit 2); bad data or a failed model, 1.
    const err = e as Error
    const usageError = e instanceof UnknownModelError || e instanceof ParamError
    const prefix = usageError || err.name === 'Error' ? '' : `${err.name}: `
    process.stderr.write(`eval: ${prefix}${err.message}\n`)
    return usageError ? 2 : 1
  }
  const lines = [`## ${outcome.json.dataset}`, '']
  if (outcome.subsample !== null) lines.push(`${outcome.subsample}`, '')
  lines.push(markdownTable(outcome.results))
  if (outcome.groups !== null) {
    const rows = outcome.results.map((r) => ({ name: r.json.name, groups: r.groups ?? [] }))
    lines.push('', 'By the next item: already in the prefix, else by the training sessions that hold it:', '', breakdownTable(outcome.groups, rows))
  }
  const notes = paramNotes(outcome.results)
  if (notes !== '') lines.push('', notes)
  process.stdout.write(lines.join('\n') + '\n')
  if (args.out !== undefined) note(`wrote ${args.out}`)
  if (args.plot !== undefined) note(`wrote ${args.plot}`)
  return 0
}

const invoked = process.argv[1]
if (invoked !== undefined && import.meta.url === pathToFileURL(invoked).href) {
  process.exitCode = await main(process.argv.slice(2))
}
