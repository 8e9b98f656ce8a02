/** Bench section: bundle sizes against their budgets (the same numbers `npm test` checks). */
import { BUNDLE_BUDGETS, checkBudgets, measureBundles } from '../lib/bundle-sizes.mjs'
import type { Section } from './context.js'
import { Verdict } from './table.js'

export const bundlesSection: Section = {
  name: 'bundles',
  async run(ctx) {
    const s = measureBundles()
    const over = checkBudgets(s)
    for (const name of ['loader', 'core', 'worker'] as const) {
      const g = s[name]
      ctx.record(`bundles.${name}_gz`, g.gz)
      ctx.record(`bundles.${name}_br`, g.br)
      ctx.record(`bundles.${name}_raw`, g.raw)
      const budget = BUNDLE_BUDGETS[name]
      ctx.rows.push({
        section: 'bundles',
        metric: `${name} gzip (brotli)`,
        value: `${g.gz.toLocaleString('en-US')} (${g.br.toLocaleString('en-US')})`,
        unit: 'B',
        target: `≤ ${budget / 1000} KB gz`,
        verdict: g.gz <= budget ? Verdict.Ok : Verdict.Over,
        note: name === 'worker' ? 'entry + all four backend chunks' : name === 'core' ? 'fedrec.js + static chunks' : '',
      })
    }
    ctx.record('bundles.worker_entry_gz', s.workerEntry.gz)
    for (const [b, g] of Object.entries(s.workerBackends)) {
      ctx.record(`bundles.worker_backend_gz.${b}`, g.gz)
      ctx.rows.push({ section: 'bundles', metric: `worker entry + ${b} chunk gz`, value: s.workerEntry.gz + g.gz, unit: 'B', note: 'what one device loads' })
    }
    ctx.record('bundles.wasm_binaries_gz', s.wasmBinaries.gz)
    ctx.rows.push({ section: 'bundles', metric: 'tfjs wasm binaries gz', value: s.wasmBinaries.gz, unit: 'B', note: 'wasm backend only; not JS' })
    ctx.record('bundles.over_budget', over.length)
    if (over.length > 0) throw new BudgetExceededError(over)
  },
}

/** A hard failure: the run still prints its table, then exits non-zero. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError'
  constructor(readonly violations: readonly string[]) {
    super(`bundle budget exceeded: ${violations.join('; ')}`)
  }
}
