import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postLoad, refusalKey } from './load-gen.js'

let server: Server
let url = ''
const bodies: string[] = []
const sockets = new Set<unknown>()

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket)
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => {
      const text = Buffer.concat(parts).toString()
      bodies.push(text)
      // Every third request is refused with a reason, as the edge does.
      if (bodies.length % 3 === 0) res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { reason: 'replay' } }))
      else res.writeHead(202).end('{}')
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const addr = server.address()
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/updates`
})
afterAll(() => new Promise<void>((ok) => server.close(() => ok())))

describe('postLoad', () => {
  it('sends distinct bodies over a few keep-alive connections and counts refusals by reason', async () => {
    const r = await postLoad(url, (i) => new TextEncoder().encode(`update ${i}`), { concurrency: 3, durationMs: 200 })
    expect(r.requests).toBe(bodies.length)
    expect(new Set(bodies).size).toBe(bodies.length)
    expect(r.ok + (r.refused['409 replay'] ?? 0)).toBe(r.requests)
    expect(r.refused['409 replay']).toBe(Math.floor(r.requests / 3))
    expect(sockets.size).toBeLessThanOrEqual(3)
    expect(r.latencyMs!.n).toBe(r.requests)
  })

  it('counts network errors instead of throwing', async () => {
    const r = await postLoad('http://127.0.0.1:1/x', () => new Uint8Array(1), { concurrency: 1, durationMs: 50 })
    expect(r.ok).toBe(0)
    expect(Object.keys(r.refused)).toEqual(['error ECONNREFUSED'])
  })
})

describe('refusalKey', () => {
  it('reads the reason of a JSON error and falls back to the status', () => {
    expect(refusalKey(413, '{"error":{"reason":"too_large"}}')).toBe('413 too_large')
    expect(refusalKey(500, 'oops')).toBe('500')
  })
})
