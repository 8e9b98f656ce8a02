/** bench.json: the machine-readable results, with the keys issue 8 fixes as a contract. */
import { renameSync, writeFileSync } from 'node:fs'

/** Keys every full run writes (all numbers). `train_ms.<backend>` adds one per backend measured. */
export const CONTRACT_KEYS = [
  'bundles.loader_gz',
  'bundles.core_gz',
  'bundles.worker_gz',
  'model.download_gz',
  'model.upload_bytes',
  'train_ms.node',
  'rank_ms.p50',
  'rank_ms.p95',
  'main_thread.long_tasks',
  'aggregator.updates_per_s',
  'aggregator.vs_memcpy',
  'edge.updates_per_s',
] as const

export type Json = number | string | boolean | null | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

/**
 * Sets `a.b.c` in a nested object, creating the objects on the way.
 * @example const o = {}; setKey(o, 'rank_ms.p50', 3) // o = { rank_ms: { p50: 3 } }
 * @throws Error when a prefix of the path already holds a non-object
 */
export function setKey(obj: JsonObject, dotted: string, value: Json): void {
  const parts = dotted.split('.')
  if (parts.some((p) => p === '')) throw new Error(`bad key "${dotted}"`)
  let o: JsonObject = obj
  for (const p of parts.slice(0, -1)) {
    const next = o[p]
    if (next === undefined) o = o[p] = {}
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) o = next
    else throw new Error(`cannot set "${dotted}": "${p}" already holds ${JSON.stringify(next)}`)
  }
  o[parts[parts.length - 1]!] = value
}

/** Reads `a.b.c`, or undefined. */
export function getKey(obj: JsonObject, dotted: string): Json | undefined {
  let o: Json | undefined = obj
  for (const p of dotted.split('.')) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined
    o = o[p]
  }
  return o
}

/**
 * Contract keys that are absent or not finite numbers, plus a note when `train_ms` holds no
 * browser backend besides `node`.
 * @example contractProblems({}) // ['bundles.loader_gz is missing', ...]
 */
export function contractProblems(obj: JsonObject): string[] {
  const out: string[] = []
  for (const k of CONTRACT_KEYS) {
    const v = getKey(obj, k)
    if (v === undefined) out.push(`${k} is missing`)
    else if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${k} is ${JSON.stringify(v)}, not a number`)
  }
  const train = getKey(obj, 'train_ms')
  if (typeof train === 'object' && train !== null && !Array.isArray(train)) {
    for (const [b, v] of Object.entries(train)) if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`train_ms.${b} is ${JSON.stringify(v)}, not a number`)
    if (Object.keys(train).filter((b) => b !== 'node').length === 0) out.push('train_ms has no browser backend')
  }
  return out
}

/** Writes pretty JSON with a trailing newline, atomically (a reader never sees half a file). */
export function writeBenchJson(path: string, obj: JsonObject): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`)
  renameSync(tmp, path)
}
