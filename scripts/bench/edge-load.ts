/**
 * Bench section: updates/s accepted end to end by `wrangler dev` (workerd, the Durable Object,
 * SQLite storage) on loopback, for a 100k-parameter model, with our load generator; CPU cores
 * the edge used (so updates/s per core), memory per open round and storage per update.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEdge } from '../../test/support/edge.js'
import type { RoundConfig } from '../../aggregator/src/index.js'
import type { Section } from './context.js'
import { REPO_ROOT } from './demo-assets.js'
import { postLoad } from './load-gen.js'
import { dirBytes, groupStats, rssBytes } from './proc-stats.js'
import { benchRound, itemsForParams, NONCE_OFFSET, nonceBytes, paramsOf, sessionConfig, syntheticModelBytes, syntheticUpdates } from './synthetic.js'
import { verdict } from './table.js'

/**
 * The repo's wrangler.toml with the worker's entry made absolute and the assets pointed at
 * `assetsDir`, so the edge runs unchanged but publishes the bench's model.
 */
export function benchWranglerConfig(repoToml: string, mainAbs: string, assetsDir: string): string {
  const main = /^main\s*=.*$/m
  const dir = /^directory\s*=.*$/m
  if (!main.test(repoToml) || !dir.test(repoToml)) throw new Error('wrangler.toml has no main or [assets] directory line')
  return repoToml.replace(main, `main = ${JSON.stringify(mainAbs)}`).replace(dir, `directory = ${JSON.stringify(assetsDir)}`)
}

/** Rate limits (edge-worker/src/rate-limiter.ts) far above what the bench sends. */
export const UNLIMITED_RATES = { FEDREC_RATE_LIMIT: '1000000000', FEDREC_UPLOAD_RATE_LIMIT: '1000000000' } as const

const cpuOf = (pgrp: number): number => groupStats(pgrp).reduce((s, p) => s + p.cpuS, 0)
const workerdPid = (pgrp: number): number | undefined => groupStats(pgrp).find((p) => p.comm === 'workerd')?.pid

export const edgeSection: Section = {
  name: 'edge',
  heavy: true,
  async run(ctx) {
    const cfg = sessionConfig(itemsForParams(100_000))
    const params = paramsOf(cfg)
    const dir = mkdtempSync(join(tmpdir(), 'fedrec-bench-edge-'))
    mkdirSync(join(dir, 'public/model'), { recursive: true })
    writeFileSync(join(dir, 'public/model/initial.bin'), syntheticModelBytes(cfg))
    const config = join(dir, 'wrangler.toml')
    writeFileSync(config, benchWranglerConfig(readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8'), join(REPO_ROOT, 'edge-worker/src/index.ts'), join(dir, 'public')))
    // One round that never closes during the run: every update is validated, stored and summed.
    // The rate limiter stays in the path (its cost is part of the edge's) with limits no load
    // generator on loopback can reach.
    const edge = await startEdge({
      config,
      vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1000000000', FEDREC_ROUND_SECONDS: '86400', FEDREC_CLIP_NORM: '1', FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_NOISE_MODE: 'local', FEDREC_SAMPLE_RATE: '1', ...UNLIMITED_RATES },
    })
    try {
      const pgrp = edge.pid()!
      const rssIdle = rssBytes(workerdPid(pgrp) ?? -1)
      const round = (await (await fetch(`${edge.url}v1/round`)).json()) as RoundConfig
      const rssRound = rssBytes(workerdPid(pgrp) ?? -1)
      const [template] = syntheticUpdates(cfg, { ...benchRound(round.modelVersion, round.roundId) }, 1)
      const body = (i: number): Uint8Array => {
        const b = template!.slice()
        b.set(nonceBytes(i + 1), NONCE_OFFSET)
        return b
      }
      const headers = { 'content-type': 'application/octet-stream' }
      const target = `${edge.url}v1/updates`
      const warm = await postLoad(target, (i) => body(1e9 + i), { concurrency: 4, durationMs: 1500, headers })
      if (warm.ok === 0) throw new Error(`the edge accepted none of ${warm.requests} warm-up updates: ${JSON.stringify(warm.refused)}`)
      const concurrency = 8
      const durationMs = ctx.quick ? 5000 : 15_000
      const storeBefore = dirBytes(edge.persistDir)
      const cpu0 = cpuOf(pgrp)
      const load = await postLoad(target, body, { concurrency, durationMs, headers })
      const cores = (cpuOf(pgrp) - cpu0) / load.seconds
      const stored = (dirBytes(edge.persistDir) - storeBefore) / Math.max(1, load.ok)
      const rssAfter = rssBytes(workerdPid(pgrp) ?? -1)
      const ups = load.ok / load.seconds
      const perCore = ups / Math.max(cores, 1e-9)
      ctx.log(`edge: ${load.ok}/${load.requests} accepted in ${load.seconds.toFixed(1)} s, edge used ${cores.toFixed(2)} cores, refused ${JSON.stringify(load.refused)}`)
      ctx.record('edge.params', params)
      ctx.record('edge.updates_per_s', ups)
      ctx.record('edge.cores_used', cores)
      ctx.record('edge.updates_per_s_per_core', perCore)
      ctx.record('edge.accepted', load.ok)
      ctx.record('edge.refused', load.requests - load.ok)
      ctx.record('edge.concurrency', concurrency)
      ctx.record('edge.latency_ms.p50', load.latencyMs?.median ?? Number.NaN)
      ctx.record('edge.latency_ms.p95', load.latencyMs?.p95 ?? Number.NaN)
      ctx.record('edge.round_rss_bytes', rssRound - rssIdle)
      ctx.record('edge.rss_growth_bytes', rssAfter - rssRound)
      ctx.record('edge.stored_bytes_per_update', stored)
      const sec = 'edge (wrangler dev, loopback)'
      ctx.rows.push({ section: sec, metric: 'updates/s accepted', value: ups, unit: '/s', note: `${params.toLocaleString('en-US')} params, ${concurrency} keep-alive connections, ${load.seconds.toFixed(0)} s; ${load.requests - load.ok} refused` })
      ctx.rows.push({ section: sec, metric: 'updates/s per core used by workerd', value: perCore, unit: '/s', target: '≥ 2,000', verdict: verdict(perCore, 2000, false), note: `edge used ${cores.toFixed(2)} cores; the load generator shares the machine` })
      ctx.rows.push({ section: sec, metric: 'latency p50 | p95', value: `${(load.latencyMs?.median ?? 0).toFixed(1)} | ${(load.latencyMs?.p95 ?? 0).toFixed(1)}`, unit: 'ms' })
      ctx.rows.push({ section: sec, metric: 'memory per open round (workerd RSS)', value: rssRound - rssIdle, unit: 'B', note: `DO + model + running sum; +${((rssAfter - rssRound) / 2 ** 20).toFixed(0)} MiB after the load` })
      ctx.rows.push({ section: sec, metric: 'storage per accepted update', value: stored, unit: 'B', note: `SQLite; float32 data is ${(4 * params).toLocaleString('en-US')} B` })
    } finally {
      await edge.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
