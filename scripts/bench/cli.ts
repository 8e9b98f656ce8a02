/**
 * `npm run bench [-- --quick] [--only a,b] [--out bench.json] [--plot bench-scaling.svg] [--markdown]`:
 * measures sizes, speed and scale (issue 8), prints one table and writes bench.json.
 * Timings are medians over repeated runs, with ratios against a baseline measured in the same run.
 */
import { loadavg, setPriority } from 'node:os'
import { parseArgs } from 'node:util'
import { aggregatorSection } from './aggregator-core.js'
import { contractProblems, writeBenchJson } from './bench-json.js'
import { browserSection } from './browser.js'
import { BudgetExceededError, bundlesSection } from './bundles.js'
import { createContext, type Section } from './context.js'
import { edgeSection } from './edge-load.js'
import { describeMachine, machineLine } from './machine.js'
import { modelBytesSection } from './model-bytes.js'
import { nodeTrainSection } from './node-train.js'
import { scaleSection } from './scale.js'
import { secaggSection } from './secagg.js'
import { formatMarkdown, formatTable, Verdict } from './table.js'

/** In run order: cheap and deterministic first, then Node timings, then the edge and browser. */
const SECTIONS: readonly Section[] = [bundlesSection, modelBytesSection, aggregatorSection, scaleSection, secaggSection, nodeTrainSection, edgeSection, browserSection]

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: 'bench.json' },
    plot: { type: 'string', default: 'bench-scaling.svg' },
    markdown: { type: 'boolean', default: false },
  },
})

const only = values.only?.split(',').map((s) => s.trim())
const unknown = only?.filter((n) => !SECTIONS.some((s) => s.name === n)) ?? []
if (unknown.length > 0) {
  console.error(`bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`)
  process.exit(2)
}

// Be fair to other work on the machine: lower our priority (children inherit it).
try {
  setPriority(10)
} catch {
  // not permitted: run at normal priority
}

const machine = describeMachine()
const ctx = createContext({ quick: values.quick, plotPath: values.plot })
ctx.record('meta.mode', values.quick ? 'quick' : 'full')
ctx.record('meta.cpu', machine.cpu)
ctx.record('meta.cores', machine.cores)
ctx.record('meta.node', machine.node)
ctx.record('meta.chromium', machine.chromium)
ctx.record('meta.commit', machine.commit)
ctx.record('meta.date', machine.date)
ctx.record('meta.load_start', machine.loadAtStart)

let budgetFailure: BudgetExceededError | null = null
const failed: string[] = []
const started = performance.now()
for (const section of SECTIONS) {
  if (only && !only.includes(section.name)) continue
  const t0 = performance.now()
  ctx.log(`${section.name}…`)
  try {
    await section.run(ctx)
  } catch (e) {
    if (e instanceof BudgetExceededError) {
      budgetFailure = e
    } else {
      failed.push(section.name)
      const msg = e instanceof Error ? e.message : String(e)
      ctx.rows.push({ section: section.name, metric: 'section failed', value: '—', verdict: Verdict.Failed, note: msg.split('\n')[0]!.slice(0, 160) })
      console.error(`bench: ${section.name} failed:`, e)
    }
  }
  ctx.record(`meta.section_s.${section.name}`, (performance.now() - t0) / 1000)
}
ctx.record('meta.load_end', loadavg()[0]!)
ctx.record('meta.total_s', (performance.now() - started) / 1000)

console.log(`fedrec bench (${values.quick ? 'quick' : 'full'}) on ${machineLine(machine)}`)
console.log(values.markdown ? formatMarkdown(ctx.rows) : formatTable(ctx.rows))
writeBenchJson(values.out, ctx.json)
const problems = only ? [] : contractProblems(ctx.json)
for (const p of problems) console.error(`bench: bench.json contract: ${p}`)
console.log(`\nwrote ${values.out}${only ? '' : ` and ${values.plot}`} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
if (budgetFailure) console.error(`bench: ${budgetFailure.message}`)
process.exit(budgetFailure || failed.length > 0 || problems.length > 0 ? 1 : 0)
