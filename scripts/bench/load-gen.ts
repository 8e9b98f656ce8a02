/**
 * A small HTTP load generator: `concurrency` keep-alive connections POSTing bodies as fast as the
 * server answers, for a fixed time. Ours rather than autocannon so each body can carry a fresh
 * nonce (the edge refuses replays) and each refusal is counted by its reason.
 */
import { Agent, request } from 'node:http'
import { summarize, type Summary } from './stats.js'

export interface LoadOptions {
  readonly concurrency: number
  readonly durationMs: number
  readonly headers?: Readonly<Record<string, string>>
}

export interface LoadResult {
  readonly requests: number
  /** 2xx answers. */
  readonly ok: number
  /** Non-2xx answers by `status reason` (reason from the edge's JSON error), and network errors. */
  readonly refused: Readonly<Record<string, number>>
  readonly seconds: number
  readonly latencyMs: Summary | null
}

function post(agent: Agent, url: URL, body: Uint8Array, headers: Readonly<Record<string, string>>): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (d: Buffer) => parts.push(d))
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }))
      res.on('error', fail)
    })
    req.on('error', fail)
    req.end(body)
  })
}

/** Why a request was refused, from the edge's `{ error: { reason } }` body. */
export function refusalKey(status: number, text: string): string {
  try {
    const reason = (JSON.parse(text) as { error?: { reason?: unknown } }).error?.reason
    return typeof reason === 'string' ? `${status} ${reason}` : String(status)
  } catch {
    return String(status)
  }
}

/**
 * Sends `body(i)` for i = 0, 1, … from `concurrency` loops until `durationMs` is over.
 * @example await postLoad('http://127.0.0.1:8787/v1/updates', (i) => payload(i), { concurrency: 8, durationMs: 5000 })
 */
export async function postLoad(target: string, body: (i: number) => Uint8Array, opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(target)
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency })
  const latencies: number[] = []
  const refused: Record<string, number> = {}
  let next = 0
  let ok = 0
  const t0 = performance.now()
  const end = t0 + opts.durationMs
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const b = body(next++)
      const s = performance.now()
      try {
        const r = await post(agent, url, b, opts.headers ?? {})
        latencies.push(performance.now() - s)
        if (r.status >= 200 && r.status < 300) ok++
        else refused[refusalKey(r.status, r.text)] = (refused[refusalKey(r.status, r.text)] ?? 0) + 1
      } catch (e) {
        const k = `error ${(e as NodeJS.ErrnoException).code ?? 'unknown'}`
        refused[k] = (refused[k] ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, loop))
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  return { requests: next, ok, refused, seconds, latencyMs: latencies.length ? summarize(latencies) : null }
}
