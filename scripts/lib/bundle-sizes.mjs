#!/usr/bin/env node
// Sizes of the built SDK bundles (raw, gzip, brotli) and their budgets. Used by `npm test` (a hard
// check: size is deterministic) and by `npm run bench`. Run directly to print and check:
// `node scripts/lib/bundle-sizes.mjs` (exit 1 when a budget is exceeded).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** Where the build puts the SDK. */
export const SDK_DIST = join(root, 'dist/public/sdk')

/**
 * Gzipped budgets in bytes (1 KB = 1,000 B, the stricter reading) from issues 5 and 8: the
 * loader is on every page's critical path, the core runs on the main thread, the worker (tfjs
 * with every backend chunk) loads off the main thread and only when a model is used.
 */
export const BUNDLE_BUDGETS = Object.freeze({ loader: 3_000, core: 15_000, worker: 300_000 })

/** The tfjs backends, as named in their chunks' source (`"webgpu"`, `"webgl"`, ...). */
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu']

/**
 * Relative specifiers a built ES module imports: static (`from"./x.js"`, `import"./x.js"`) and
 * dynamic (`import("./x.js")`). Only relative ones: bundles import nothing else.
 * @example importsOf('import{a}from"./c.js";import("./d.js")') // { static: ['./c.js'], dynamic: ['./d.js'] }
 */
export function importsOf(code) {
  const found = { static: [], dynamic: [] }
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*(\(\s*)?(["'])(\.{1,2}\/[^"']+)\2/g)) {
    const list = m[1] ? found.dynamic : found.static
    if (!list.includes(m[3])) list.push(m[3])
  }
  return found
}

/**
 * Raw, gzip (level 9) and brotli byte counts. Brotli quality 11 is what a precompressing CDN
 * serves for static files; pass a lower one for megabytes of model data (11 takes seconds).
 */
export function compressedSizes(bytes, brotliQuality = 11) {
  return {
    raw: bytes.length,
    gz: gzipSync(bytes, { level: 9 }).length,
    br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  }
}

/** Files loaded with `file` before it runs: itself and its static imports, transitively. */
export function staticClosure(file) {
  const seen = new Set()
  const visit = (f) => {
    if (seen.has(f)) return
    seen.add(f)
    for (const s of importsOf(readFileSync(f, 'utf8')).static) visit(resolve(dirname(f), s))
  }
  visit(file)
  return [...seen]
}

/** Sum of per-file sizes (each file is its own request, compressed on its own). */
function group(files, dir) {
  const out = { files: files.map((f) => relative(dir, f)), raw: 0, gz: 0, br: 0 }
  for (const f of files) {
    const s = compressedSizes(readFileSync(f))
    out.raw += s.raw
    out.gz += s.gz
    out.br += s.br
  }
  return out
}

/** The backend whose name a chunk mentions most often, or null. */
function backendOf(code) {
  let best = null
  let bestCount = 0
  for (const b of BACKENDS) {
    const n = code.split(`"${b}"`).length - 1
    if (n > bestCount) [best, bestCount] = [b, n]
  }
  return best
}

/**
 * Measures the three SDK bundles in `dir` (default dist/public/sdk):
 * - `loader`: fedrec-loader.js;
 * - `core`: fedrec.js and its static chunks;
 * - `worker`: fedrec-worker.js and every chunk it can ever load (all four tfjs backends): the
 *   most a device could download, and what the budget applies to;
 * - `workerEntry` and `workerBackends[b]` (a backend's lazy chunk with its static imports, beyond
 *   the entry): what one device downloads for the backend it uses;
 * - `wasmBinaries`: the tfjs wasm files (fetched only on the wasm backend; not JavaScript).
 * @example measureBundles().worker.gz
 */
export function measureBundles(dir = SDK_DIST) {
  const need = (name) => {
    const f = join(dir, name)
    if (!existsSync(f)) throw new Error(`${relative(root, f)} is missing; run \`node scripts/build.mjs\` first`)
    return f
  }
  const loader = need('fedrec-loader.js')
  const core = need('fedrec.js')
  const worker = need('fedrec-worker.js')
  const entryFiles = staticClosure(worker)
  const all = new Set(entryFiles)
  const workerBackends = {}
  const pending = [...entryFiles]
  while (pending.length > 0) {
    const f = pending.pop()
    for (const d of importsOf(readFileSync(f, 'utf8')).dynamic) {
      const lazy = resolve(dirname(f), d)
      const closure = staticClosure(lazy).filter((x) => !entryFiles.includes(x))
      const name = backendOf(readFileSync(lazy, 'utf8')) ?? relative(dir, lazy)
      workerBackends[name] = group(closure, dir)
      for (const x of closure) {
        if (!all.has(x)) {
          all.add(x)
          pending.push(x)
        }
      }
    }
  }
  const wasmDir = join(dir, 'wasm')
  const wasm = existsSync(wasmDir) ? readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).map((f) => join(wasmDir, f)) : []
  return {
    loader: group([loader], dir),
    core: group(staticClosure(core), dir),
    worker: group([...all], dir),
    workerEntry: group(entryFiles, dir),
    workerBackends,
    wasmBinaries: group(wasm, dir),
  }
}

/**
 * Budget violations, as messages (empty when every bundle fits).
 * @example checkBudgets({ loader: { gz: 4000 }, core: { gz: 1 }, worker: { gz: 1 } }) // ['loader: 4000 B gzipped > budget 3000 B']
 */
export function checkBudgets(sizes, budgets = BUNDLE_BUDGETS) {
  return Object.entries(budgets)
    .filter(([name, max]) => sizes[name].gz > max)
    .map(([name, max]) => `${name}: ${sizes[name].gz} B gzipped > budget ${max} B`)
}

/** A few lines for the terminal. */
export function formatBundles(sizes, budgets = BUNDLE_BUDGETS) {
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`
  const lines = ['bundle           raw        gzip       brotli     budget (gz)']
  const row = (name, s, budget) =>
    `${name.padEnd(16)} ${kb(s.raw).padEnd(10)} ${kb(s.gz).padEnd(10)} ${kb(s.br).padEnd(10)} ${budget === undefined ? '' : `${kb(budget)} ${s.gz <= budget ? 'ok' : 'OVER'}`}`
  for (const name of ['loader', 'core', 'worker']) lines.push(row(name, sizes[name], budgets[name]))
  lines.push(row('  worker entry', sizes.workerEntry))
  for (const [b, s] of Object.entries(sizes.workerBackends)) lines.push(row(`  + ${b}`, s))
  lines.push(row('  wasm binaries', sizes.wasmBinaries))
  return lines.join('\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const sizes = measureBundles()
    console.log(formatBundles(sizes))
    const over = checkBudgets(sizes)
    for (const m of over) console.error(`bundle budget exceeded: ${m}`)
    process.exit(over.length === 0 ? 0 : 1)
  } catch (e) {
    console.error(`bundle sizes: ${e instanceof Error ? e.message : e}`)
    process.exit(1)
  }
}
