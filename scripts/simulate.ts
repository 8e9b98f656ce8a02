/**
 * `npm run simulate -- --shoppers N --rounds R`: simulated shoppers with distinct personas browse
 * the demo store in headless chromium and take part in federated rounds, so a developer sees the
 * global model move; the privacy panel (/privacy.html) charts each round as it closes.
 *
 * Against a running edge (`npm start`, default http://127.0.0.1:8787/, or `--url`), whose round
 * settings must let N shoppers close a round: FEDREC_EXPECTED_CLIENTS ≤ N and
 * FEDREC_SAMPLE_RATE=1 (wrangler.toml's defaults close rounds at 3). When nothing answers there
 * and no `--url` was given, it starts its own `wrangler dev` with FEDREC_MIN_CLIENTS =
 * FEDREC_EXPECTED_CLIENTS = N and the `--clip`, `--noise`, `--noise-mode` given.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { launchChromium } from '../test/support/browser.js'
import { REPO_ROOT, startEdge, type EdgeServer } from '../test/support/edge.js'
import { runSimulation } from './simulate/run-simulation.js'

const USAGE = `usage: npm run simulate -- [--shoppers N] [--rounds R] [--url URL] [options]
  --shoppers N        simulated shoppers, each with its own persona and browser (default 3)
  --rounds R          rounds to run (default 5)
  --url URL           edge worker to use (default http://127.0.0.1:8787/; if nothing answers
                      there and --url is not given, a wrangler dev is started for the run)
  --out FILE          report file (default dist/public/shop/simulation.json, which the privacy
                      panel at /privacy.html charts)
  --seed S            seed of personas and sessions (default 1)
  --held-out K        held-out validation sessions per persona (default 20)
  --delta D           δ of the reported ε when the server reports none (default 1e-6, the
                      server's FEDREC_TARGET_DELTA default)
  --concurrency C     shoppers browsing at once (default 2)
  --clip C, --noise Z, --noise-mode local|distributed
                      round settings of a wrangler dev that simulate starts itself
                      (defaults 1.5, 0.1, distributed)
  --serve             keep a wrangler dev that simulate started running afterwards (Ctrl-C stops)`

/**
 * Clip norm of the edge simulate starts: about the median L2 norm of the demo shoppers' updates
 * (1.40 over 4 shoppers × 5 sessions held, 1.36–1.45: `npx tsx scripts/simulate/update-norms.ts`).
 * A larger clip only adds noise (z·C) that the updates do not fill. Measured with 4 shoppers, 5
 * rounds, z = 0.1 and the edge's η = 1 of the time, one run each (P@20 after each round, from
 * 10.1 %): C = 1.5 → 9.5, 9.8, 15.0, 22.0, 24.5 %; C = 1 → 11.9, 11.3, 14.4, 15.9, 19.9 %;
 * C = 5 → 11.9, 11.0, 12.2, 7.0, 8.6 %. With the edge's η = 4 (FEDAVG_SERVER_LR) and C = 1.5:
 * 9.8, 24.8, 29.4, 29.1, 32.7 %.
 * (C was 5 until 2026-12-07, when the updates trained over the full softmax had norms near 10.)
 */
const DEFAULT_CLIP = 1.5

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got ${raw}`)
  return n
}
function positiveNumber(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new UsageError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${raw}`)
  return n
}

class UsageError extends Error {
  override readonly name = 'UsageError'
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}v1/health`, { signal: AbortSignal.timeout(2000) })).ok
  } catch {
    return false
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      shoppers: { type: 'string' }, rounds: { type: 'string' }, url: { type: 'string' }, out: { type: 'string' },
      seed: { type: 'string' }, 'held-out': { type: 'string' }, delta: { type: 'string' }, concurrency: { type: 'string' },
      clip: { type: 'string' }, noise: { type: 'string' }, 'noise-mode': { type: 'string' }, serve: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const shoppers = positiveInt('--shoppers', values.shoppers, 3)
  const mode = values['noise-mode'] ?? 'distributed'
  if (mode !== 'local' && mode !== 'distributed') throw new UsageError(`--noise-mode must be local or distributed, got ${mode}`)
  const delta = positiveNumber('--delta', values.delta, 1e-6)
  if (delta >= 1) throw new UsageError(`--delta must be in (0, 1), got ${values.delta}`)
  let url = values.url ?? 'http://127.0.0.1:8787/'
  if (!url.endsWith('/')) url += '/'
  let edge: EdgeServer | null = null
  if (!(await answers(url))) {
    if (values.url !== undefined) throw new UsageError(`nothing answers at ${url}v1/health; start the edge (npm start) or leave out --url`)
    console.log(`simulate: nothing answers at ${url}; starting wrangler dev for ${shoppers} shoppers…`)
    edge = await startEdge({
      vars: {
        FEDREC_MIN_CLIENTS: String(shoppers),
        FEDREC_EXPECTED_CLIENTS: String(shoppers),
        FEDREC_SAMPLE_RATE: '1',
        FEDREC_ROUND_SECONDS: '3600',
        FEDREC_CLIP_NORM: String(positiveNumber('--clip', values.clip, DEFAULT_CLIP)),
        FEDREC_NOISE_MULTIPLIER: String(positiveNumber('--noise', values.noise, 0.1, true)),
        FEDREC_NOISE_MODE: mode,
        // Every simulated shopper connects from this machine: one rate-limit key for them all.
        FEDREC_RATE_LIMIT: String(Math.max(600, 200 * shoppers)),
        FEDREC_UPLOAD_RATE_LIMIT: String(Math.max(30, 4 * shoppers)),
      },
    })
    url = edge.url
  }
  console.log(`simulate: ${shoppers} shoppers against ${url}; watch the rounds at ${url}privacy.html`)
  const browser = await launchChromium({ webgpu: false }).catch(async (e: unknown) => {
    await edge?.stop()
    throw e
  })
  try {
    await runSimulation(browser, {
      url,
      shoppers,
      rounds: positiveInt('--rounds', values.rounds, 5),
      out: values.out ?? join(REPO_ROOT, 'dist/public/shop/simulation.json'),
      seed: positiveInt('--seed', values.seed, 1),
      heldOutPerPersona: positiveInt('--held-out', values['held-out'], 20),
      delta,
      concurrency: positiveInt('--concurrency', values.concurrency, 2),
      log: (line) => console.log(`simulate: ${line}`),
    })
    if (edge && values.serve) {
      console.log(`simulate: done; the store stays up at ${url} (Ctrl-C stops it)`)
      await new Promise<void>((resolve) => process.once('SIGINT', resolve))
    }
  } finally {
    await browser.close()
    // The wrangler dev this run started goes with it, whatever happened.
    await edge?.stop()
  }
  return 0
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`simulate: ${e.message}\n\n${USAGE}`)
    else console.error('simulate:', e instanceof Error ? e.message : e)
    process.exit(e instanceof UsageError ? 2 : 1)
  },
)
