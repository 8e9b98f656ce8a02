#!/usr/bin/env node
// `npm test`: install what is missing (npm packages; Debian's chromium when root), build, then run
// the bundle size budgets, the type check, the unit tests (vitest) and the browser tests (vitest +
// playwright-core + chromium against `wrangler dev`). Extra arguments go to both vitest runs, e.g. `npm test -- -t wasm`.
import { browserTests } from './lib/browser-tests.mjs'
import { build, ensureChromium, ensureNodeModules, root, run, bin } from './lib/setup.mjs'

const extra = process.argv.slice(2)
ensureNodeModules()
ensureChromium()
build()

const steps = [
  // Size is deterministic, so the bundle budgets (loader, core, worker; gzipped) are a hard check.
  ['bundle budgets', process.execPath, ['scripts/lib/bundle-sizes.mjs']],
  ['type check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['type check (edge worker)', bin('tsc'), ['-p', 'edge-worker/tsconfig.json', '--noEmit']],
  ['unit tests', bin('vitest'), ['run', ...extra]],
]
const failed = []
for (const [name, cmd, args] of steps) {
  console.log(`\n── ${name} ──`)
  if (run(cmd, args, { cwd: root, allowFailure: true }) !== 0) failed.push(name)
}
// Browser tests: a failed file is run once more on its own (scripts/lib/browser-tests.mjs).
console.log('\n── browser tests ──')
if (browserTests(extra) !== 0) failed.push('browser tests')
console.log(failed.length === 0 ? '\nfedrec: all checks passed' : `\nfedrec: FAILED: ${failed.join(', ')}`)
process.exit(failed.length === 0 ? 0 : 1)
