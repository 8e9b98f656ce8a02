/**
 * Bench section: updates/s accepted end to end by `wrangler dev` (workerd, the Durable Object,
 * SQLite storage) on loopback, for a 100k-parameter model, with our load generator; CPU cores
 * the edge used (so updates/s per core), memory per open round and storage per update.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEdge } from '../../test/support/edge.js'
import { roundUpdateEncoding, UpdateEncoding, type RoundConfig } from '../../aggregator/src/index.js'
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

/**
 * What a process of `wrangler dev` does: `worker` runs our edge worker and its Durable Objects
 * (what production runs); `dev-proxy` is the workerd that wrangler puts on the public port to
 * forward each request to it, and `wrangler` its Node process (logs every request): dev tooling
 * that production does not have.
 * @example edgeRole('workerd', 'workerd serve --socket-addr=entry=127.0.0.1:8787 …', 8787) // 'dev-proxy'
 */
export function edgeRole(comm: string, cmdline: string, port: number): 'worker' | 'dev-proxy' | 'wrangler' | 'other' {
  if (comm === 'workerd') return new RegExp(`entry=127\\.0\\.0\\.1:${port}(\\s|$)`).test(cmdline) ? 'dev-proxy' : 'worker'
  return comm === 'node' ? 'wrangler' : 'other'
}

const cmdlineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

/** CPU seconds of the edge's processes so far, by role, and in all. */
function edgeCpu(pgrp: number, port: number): Record<ReturnType<typeof edgeRole> | 'all', number> {
  const out = { worker: 0, 'dev-proxy': 0, wrangler: 0, other: 0, all: 0 }
  for (const p of groupStats(pgrp)) {
    out[edgeRole(p.comm, cmdlineOf(p.pid), port)] += p.cpuS
    out.all += p.cpuS
  }
  return out
}

const workerdPid = (pgrp: number, port: number): number | undefined => groupStats(pgrp).find((p) => edgeRole(p.comm, cmdlineOf(p.pid), port) === 'worker')?.pid

/** What one load run measured. */
interface EdgeRun {
  readonly encoding: string
  readonly payloadBytes: number
}

/**
 * Starts the edge with the bench's model, loads it with updates in the encoding its round
 * announces (`FEDREC_UPDATE_ENCODING` from `vars`, else the deployment's default), and records
 * the results under `prefix` (`edge.` for the default: the contract key `edge.updates_per_s`).
 */
async function loadEdge(ctx: Parameters<Section['run']>[0], prefix: string, vars: Readonly<Record<string, string>>): Promise<EdgeRun> {
  const cfg = sessionConfig(itemsForParams(100_000))
  const params = paramsOf(cfg)
  const dir = mkdtempSync(join(tmpdir(), 'fedrec-bench-edge-'))
  mkdirSync(join(dir, 'public/model'), { recursive: true })
  writeFileSync(join(dir, 'public/model/initial.bin'), syntheticModelBytes(cfg))
  const config = join(dir, 'wrangler.toml')
  writeFileSync(config, benchWranglerConfig(readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8'), join(REPO_ROOT, 'edge-worker/src/index.ts'), join(dir, 'public')))
  // One round that never closes during the run: every update is validated, stored and summed.
  // The rate limiter stays in the path (its cost is part of the edge's) with limits no load
  // generator on loopback can reach. Every update carries the whole 100k-parameter model, in
  // every encoding (no row subsets), so the runs compare encodings of the same update.
  const edge = await startEdge({
    config,
    vars: { FEDREC_MIN_CLIENTS: '1', FEDREC_EXPECTED_CLIENTS: '1000000000', FEDREC_ROUND_SECONDS: '86400', FEDREC_CLIP_NORM: '1', FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_NOISE_MODE: 'local', FEDREC_SAMPLE_RATE: '1', FEDREC_ROW_SUBSET: 'off', ...UNLIMITED_RATES, ...vars },
  })
  try {
    const pgrp = edge.pid()!
    const port = Number(new URL(edge.url).port)
    const rssIdle = rssBytes(workerdPid(pgrp, port) ?? -1)
    const round = (await (await fetch(`${edge.url}v1/round`)).json()) as RoundConfig
    const rssRound = rssBytes(workerdPid(pgrp, port) ?? -1)
    const encoding = roundUpdateEncoding(round)
    const [template] = syntheticUpdates(cfg, { ...benchRound(round.modelVersion, round.roundId), updateEncoding: encoding, rowSubset: round.rowSubset ?? null }, 1)
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
    const cpu0 = edgeCpu(pgrp, port)
    const load0 = process.cpuUsage()
    const load = await postLoad(target, body, { concurrency, durationMs, headers })
    const cpu1 = edgeCpu(pgrp, port)
    const loadCpu = process.cpuUsage(load0)
    const coresOf = (role: keyof typeof cpu1): number => (cpu1[role] - cpu0[role]) / load.seconds
    const cores = coresOf('worker')
    const devCores = coresOf('all')
    const loadGenCores = (loadCpu.user + loadCpu.system) / 1e6 / load.seconds
    const stored = (dirBytes(edge.persistDir) - storeBefore) / Math.max(1, load.ok)
    const rssAfter = rssBytes(workerdPid(pgrp, port) ?? -1)
    const ups = load.ok / load.seconds
    const perCore = ups / Math.max(cores, 1e-9)
    const perDevCore = ups / Math.max(devCores, 1e-9)
    const msPer = (role: keyof typeof cpu1): number => (1000 * (cpu1[role] - cpu0[role])) / Math.max(1, load.ok)
    ctx.log(
      `edge (${encoding}, ${template!.length} B per update): ${load.ok}/${load.requests} accepted in ${load.seconds.toFixed(1)} s, refused ${JSON.stringify(load.refused)}; CPU ms/update: worker ${msPer('worker').toFixed(2)}, dev proxy ${msPer('dev-proxy').toFixed(2)}, wrangler ${msPer('wrangler').toFixed(2)}, other ${msPer('other').toFixed(2)}, load generator ${((1000 * loadGenCores * load.seconds) / Math.max(1, load.ok)).toFixed(2)}`,
    )
    const record = (key: string, value: number): void => ctx.record(`${prefix}${key}`, value)
    record('params', params)
    record('payload_bytes', template!.length)
    record('updates_per_s', ups)
    record('cores_used', cores)
    record('updates_per_s_per_core', perCore)
    record('dev_stack_cores_used', devCores)
    record('updates_per_s_per_dev_stack_core', perDevCore)
    record('load_gen_cores_used', loadGenCores)
    record('cpu_ms_per_update.worker', msPer('worker'))
    record('cpu_ms_per_update.dev_proxy', msPer('dev-proxy'))
    record('cpu_ms_per_update.wrangler', msPer('wrangler'))
    record('accepted', load.ok)
    record('refused', load.requests - load.ok)
    record('concurrency', concurrency)
    record('latency_ms.p50', load.latencyMs?.median ?? Number.NaN)
    record('latency_ms.p95', load.latencyMs?.p95 ?? Number.NaN)
    record('round_rss_bytes', rssRound - rssIdle)
    record('rss_growth_bytes', rssAfter - rssRound)
    record('stored_bytes_per_update', stored)
    const sec = `edge (wrangler dev, loopback, ${encoding} updates)`
    ctx.rows.push({ section: sec, metric: 'updates/s accepted', value: ups, unit: '/s', note: `${params.toLocaleString('en-US')} params, ${template!.length.toLocaleString('en-US')} B each, ${concurrency} keep-alive connections, ${load.seconds.toFixed(0)} s; ${load.requests - load.ok} refused` })
    ctx.rows.push({ section: sec, metric: 'updates/s per core used by workerd', value: perCore, unit: '/s', target: '≥ 2,000', verdict: verdict(perCore, 2000, false), note: `the worker's workerd used ${cores.toFixed(2)} cores (${msPer('worker').toFixed(2)} ms/update); load generator ${loadGenCores.toFixed(2)} cores on the same machine` })
    ctx.rows.push({ section: sec, metric: 'updates/s per core of all of wrangler dev', value: perDevCore, unit: '/s', note: `${devCores.toFixed(2)} cores: + dev proxy workerd ${msPer('dev-proxy').toFixed(2)} ms/update, wrangler's Node ${msPer('wrangler').toFixed(2)} ms/update` })
    ctx.rows.push({ section: sec, metric: 'latency p50 | p95', value: `${(load.latencyMs?.median ?? 0).toFixed(1)} | ${(load.latencyMs?.p95 ?? 0).toFixed(1)}`, unit: 'ms' })
    ctx.rows.push({ section: sec, metric: 'memory per open round (workerd RSS)', value: rssRound - rssIdle, unit: 'B', note: `DO + model + running sum; +${((rssAfter - rssRound) / 2 ** 20).toFixed(0)} MiB after the load` })
    ctx.rows.push({ section: sec, metric: 'storage per accepted update', value: stored, unit: 'B', note: 'SQLite; batches of 3 or more are stored as one checkpoint of the running sum' })
    return { encoding, payloadBytes: template!.length }
  } finally {
    await edge.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export const edgeSection: Section = {
  name: 'edge',
  heavy: true,
  async run(ctx) {
    // The encoding devices use by default (the contract's edge.updates_per_s), then float32
    // updates for comparison when that default is another encoding.
    const main = await loadEdge(ctx, 'edge.', {})
    if (main.encoding !== UpdateEncoding.Float32) await loadEdge(ctx, 'edge.float32.', { FEDREC_UPDATE_ENCODING: UpdateEncoding.Float32 })
  },
}
