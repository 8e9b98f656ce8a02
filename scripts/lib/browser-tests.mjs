// The browser test step of `npm test`, with one isolated re-run of the files that failed.
//
// These tests drive chromium against `wrangler dev` on a 2-core machine, and a few of them race
// the page (an IndexedDB write still in flight when the test navigates; a 50 ms long-task check
// on a busy core). A file that fails is run again once, on its own, with a fresh edge and
// browser: a real regression fails both times and fails the step; a file that passes only the
// second time passes the step but is named in a FLAKY line, so the race stays visible.
import { readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { bin, root, run } from './setup.mjs'

const REPORT = join(root, 'test-results/browser-tests.json')

/** Test files (relative to the repo) that a vitest JSON report marks failed. */
export function failedFiles(reportText) {
  const report = JSON.parse(reportText)
  return (report.testResults ?? []).filter((f) => f.status !== 'passed').map((f) => relative(root, f.name))
}

/** Runs the browser tests (extra arguments go to vitest); 0 when they pass, first time or on the re-run. */
export function browserTests(extra = []) {
  const config = ['run', '--config', 'vitest.browser.config.ts']
  rmSync(REPORT, { force: true })
  const status = run(bin('vitest'), [...config, '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...extra], { allowFailure: true })
  if (status === 0) return 0
  let files
  try {
    files = failedFiles(readFileSync(REPORT, 'utf8'))
  } catch (e) {
    console.error(`fedrec: no readable browser test report (${e instanceof Error ? e.message : e}); not re-running`)
    return status
  }
  if (files.length === 0) return status
  console.log(`\nfedrec: ${files.length} browser test file(s) failed; running each once more on its own: ${files.join(', ')}`)
  const still = files.filter((f) => run(bin('vitest'), [...config, f], { allowFailure: true }) !== 0)
  const flaky = files.filter((f) => !still.includes(f))
  if (flaky.length > 0) console.log(`fedrec: FLAKY (failed, then passed on its own): ${flaky.join(', ')}`)
  if (still.length > 0) console.log(`fedrec: failed twice: ${still.join(', ')}`)
  return still.length === 0 ? 0 : 1
}
