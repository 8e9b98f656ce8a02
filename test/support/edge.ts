/**
 * Starts the real edge worker (`wrangler dev`, workerd, local Durable Object storage) for a test:
 * a fresh storage folder and a free port each time, so runs never see each other's state.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dirname, '../..')

/**
 * Vars for a test that checks the server's arithmetic to float32 precision through GET /v1/model:
 * the model travels as float32 instead of the default int8 rows (a device cannot see the float32
 * master otherwise). The quantised download has its own test in edge-rounds.test.ts.
 */
export const EXACT_MODEL = { FEDREC_MODEL_ENCODING: 'float32' } as const

/**
 * Vars for a test that checks the server's step against plain FedAvg at η = 1: no row scales
 * (they apply to every catalogue whose noise allows them; test/edge-row-scale.test.ts checks
 * them) and η = 1 rather than the default (FEDAVG_SERVER_LR), so tolerances stay in the deltas'
 * units. Spread it before a test's own FEDREC_SERVER_LR.
 */
export const PLAIN_FEDAVG = { FEDREC_ROW_SCALE: 'off', FEDREC_SERVER_LR: '1' } as const

export interface EdgeServer {
  /** Base URL ending in '/'. */
  readonly url: string
  /** Folder holding the Durable Object storage of this server. */
  readonly persistDir: string
  /** Everything wrangler printed, for failure messages. */
  log(): string
  /** Process id of wrangler, which leads the process group that holds workerd. */
  pid(): number | undefined
  /** Kills workerd (SIGKILL, as a crash would) and starts it again on the same port and storage. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface EdgeOptions {
  /** `FEDREC_*` variables overriding wrangler.toml, e.g. `{ FEDREC_MIN_CLIENTS: '3' }`. */
  readonly vars?: Readonly<Record<string, string>>
  /** Milliseconds to wait for /v1/health. */
  readonly readyTimeoutMs?: number
  /** A wrangler config other than the repo's wrangler.toml (e.g. the bench's, with other assets). */
  readonly config?: string
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => ok(port))
    })
  })
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log()}`)
    try {
      const res = await fetch(`${url}v1/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`wrangler dev was not healthy after ${timeoutMs} ms:\n${log()}`)
}

/**
 * @example
 * const edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '3' } })
 * await fetch(`${edge.url}v1/round`)
 * await edge.stop()
 */
export async function startEdge(opts: EdgeOptions = {}): Promise<EdgeServer> {
  const port = await freePort()
  const persistDir = mkdtempSync(join(tmpdir(), 'fedrec-edge-'))
  const url = `http://127.0.0.1:${port}/`
  const vars = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`])
  const config = opts.config ? ['--config', opts.config] : []
  let output = ''
  let child: ChildProcess
  const launch = async (): Promise<void> => {
    child = spawn(
      join(REPO_ROOT, 'node_modules/.bin/wrangler'),
      ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir, '--show-interactive-dev-session=false', '--inspector-port', String(await freePort()), ...config, ...vars],
      { cwd: REPO_ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    await waitHealthy(url, child, opts.readyTimeoutMs ?? 60_000, () => output)
  }
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return
    const exited = new Promise((r) => child.once('exit', r))
    try {
      process.kill(-child.pid, signal) // the whole group: wrangler and its workerd
    } catch {
      return
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  }
  await launch()
  return {
    url,
    persistDir,
    log: () => output,
    pid: () => child.pid,
    restart: async () => {
      await kill('SIGKILL')
      await launch()
    },
    stop: async () => {
      await kill('SIGTERM')
      await kill('SIGKILL')
      rmSync(persistDir, { recursive: true, force: true })
    },
  }
}
