/**
 * Bench section: how one aggregator shard's cost grows with the cohort (updates per round) and
 * with the model size, plotted log-log. These are the per-shard numbers docs/SCALING.md uses.
 */
import { writeFileSync } from 'node:fs'
import { applyFedAvg, encodeModel, RoundSum, type ModelBundle } from '../../aggregator/src/index.js'
import { modelLayout } from '../../sdk/src/model/config.js'
import { aggregateOne } from './aggregator-core.js'
import type { Section } from './context.js'
import { logLogSvg } from './plot.js'
import { median } from './stats.js'
import { benchRound, DIGINETICA_ITEMS, itemsForParams, paramsOf, sessionConfig, syntheticModel, syntheticUpdates } from './synthetic.js'
import type { SessionModelConfig } from '../../sdk/src/model/config.js'

/** Milliseconds to aggregate `cohort` updates and close the round (FedAvg + encode the model). */
function roundCost(cfg: SessionModelConfig, model: ModelBundle, cohort: number, pool: readonly Uint8Array[]): { sumMs: number; closeMs: number } {
  const round = benchRound()
  const layout = modelLayout(cfg)
  const sum = new RoundSum(paramsOf(cfg))
  const t0 = performance.now()
  for (let i = 0; i < cohort; i++) aggregateOne(pool[i % pool.length]!, round, layout, sum)
  const t1 = performance.now()
  encodeModel({ ...model, version: 1, weights: applyFedAvg(model.weights, sum.sum, { expectedClients: cohort, serverLearningRate: 1 }) })
  return { sumMs: t1 - t0, closeMs: performance.now() - t1 }
}

export const scaleSection: Section = {
  name: 'scale',
  async run(ctx) {
    const cohorts = ctx.quick ? [10, 100, 1000, 3000] : [10, 100, 1000, 10_000, 100_000]
    const small = sessionConfig(itemsForParams(10_000))
    const smallPool = syntheticUpdates(small, benchRound(), 16)
    const smallModel = syntheticModel(small)
    roundCost(small, smallModel, 100, smallPool) // untimed: let the JIT compile the paths first
    const cohortPts: [number, number][] = []
    const closePts: [number, number][] = []
    for (const n of cohorts) {
      const reps = Math.max(1, Math.min(5, Math.ceil(3000 / n)))
      const runs = Array.from({ length: reps }, () => roundCost(small, smallModel, n, smallPool))
      const sumMs = median(runs.map((r) => r.sumMs))
      const closeMs = median(runs.map((r) => r.closeMs))
      ctx.log(`scale: cohort ${n}: ${sumMs.toFixed(1)} ms summing + ${closeMs.toFixed(1)} ms closing`)
      cohortPts.push([n, sumMs + closeMs])
      closePts.push([n, closeMs])
      ctx.record(`scale.cohort_ms.${n}`, sumMs + closeMs)
    }
    const smallParams = paramsOf(small)
    const top = cohortPts.at(-1)!
    ctx.rows.push({ section: 'scale (one shard, Node)', metric: `round of ${top[0].toLocaleString('en-US')} updates × ${smallParams.toLocaleString('en-US')} params`, value: top[1], unit: 'ms', note: `${((top[1] * 1000) / top[0]).toFixed(0)} µs/update; linear in cohort (plot)` })

    const cohort = ctx.quick ? 20 : 50
    const sizes = ctx.quick ? [10_000, 100_000, 1_000_000] : [10_000, 30_000, 100_000, 300_000, 1_000_000]
    const configs = [...sizes.map((p) => sessionConfig(itemsForParams(p))), sessionConfig(DIGINETICA_ITEMS)]
    const sizePts: [number, number][] = []
    for (const cfg of configs) {
      const p = paramsOf(cfg)
      const pool = syntheticUpdates(cfg, benchRound(), ctx.quick ? 4 : 8)
      const model = syntheticModel(cfg)
      const runs = Array.from({ length: ctx.quick ? 2 : 3 }, () => roundCost(cfg, model, cohort, pool))
      const usPerUpdate = (median(runs.map((r) => r.sumMs)) * 1000) / cohort
      ctx.log(`scale: ${p.toLocaleString('en-US')} params: ${usPerUpdate.toFixed(0)} µs/update`)
      sizePts.push([p, usPerUpdate])
      ctx.record(`scale.us_per_update.${p}`, usPerUpdate)
      ctx.record(`scale.ns_per_param.${p}`, (usPerUpdate * 1000) / p)
    }
    const digi = sizePts.at(-1)!
    ctx.record('scale.diginetica_updates_per_s', 1e6 / digi[1])
    ctx.rows.push({ section: 'scale (one shard, Node)', metric: `updates/s at ${digi[0].toLocaleString('en-US')} params (Diginetica)`, value: 1e6 / digi[1], unit: '/s', note: `${((digi[1] * 1000) / digi[0]).toFixed(1)} ns/param` })
    const svg = logLogSvg(
      [
        { title: `Round cost vs cohort (${smallParams.toLocaleString('en-US')} params)`, xLabel: 'updates in the round', yLabel: 'ms per round', series: [{ label: 'aggregate + close', points: cohortPts }, { label: 'close only (FedAvg + encode)', points: closePts, dashed: true }] },
        { title: `Cost per update vs model size (cohort ${cohort})`, xLabel: 'parameters', yLabel: 'µs per update', series: [{ label: 'decode + validate + sum', points: sizePts }] },
      ],
      `fedrec aggregator core, one shard in Node; ${ctx.quick ? 'quick' : 'full'} run ${new Date().toISOString().slice(0, 10)}`,
    )
    writeFileSync(ctx.plotPath, svg)
    ctx.record('scale.plot', ctx.plotPath)
  },
}
