/** What every bench section gets: the mode, the results being collected, and a progress log. */
import { setKey, type JsonObject } from './bench-json.js'
import type { Row } from './table.js'

export interface BenchContext {
  /** `--quick`: fewer repetitions and smaller sweeps, for CI on 2 cores. */
  readonly quick: boolean
  /** Where the scaling plot (SVG) is written. */
  readonly plotPath: string
  /** bench.json being built. */
  readonly json: JsonObject
  readonly rows: Row[]
  /** Sets a dotted bench.json key. */
  record(key: string, value: number | string | boolean | null): void
  /** Progress on stderr, so stdout stays the table. */
  log(message: string): void
}

/** One part of the bench (bundles, model, aggregator, ...). */
export interface Section {
  readonly name: string
  /** Starts a browser or wrangler (skipped by `--only` lists that do not name it). */
  readonly heavy?: boolean
  run(ctx: BenchContext): Promise<void>
}

/** A fresh context writing into `json` and `rows`. */
export function createContext(opts: { quick: boolean; plotPath: string }, log: (m: string) => void = (m) => process.stderr.write(`bench: ${m}\n`)): BenchContext {
  const json: JsonObject = {}
  return { ...opts, json, rows: [], record: (k, v) => setKey(json, k, v), log }
}
