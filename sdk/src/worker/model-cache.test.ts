import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeModel } from '../../../aggregator/src/index.js'
import { MemoryStore } from '../store/event-store.js'
import { ModelCache } from './model-cache.js'

const bundle = (version: number) => encodeModel({ version, description: { layout: [{ name: 'w', shape: [2] }], config: {}, vocab: ['A', 'B'] }, weights: Float32Array.of(version, 1) })

/** A server that answers GET /v1/model with the current version, or 304 for the ETag it was sent. */
function server() {
  const s = { version: 1, requests: [] as (string | null)[], gate: null as Promise<void> | null }
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const sent = new Headers(init.headers).get('if-none-match')
    s.requests.push(sent)
    if (s.gate) await s.gate
    const etag = `"v${s.version}"`
    return sent === etag ? new Response(null, { status: 304 }) : new Response(bundle(s.version), { headers: { etag } })
  })
  return s
}

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('ModelCache', () => {
  it('serves the model in memory, asking the server again only when the last answer is older than the limit', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const s = server()
    const cache = new ModelCache(new MemoryStore(), '/')
    expect((await cache.sync())?.bundle.version).toBe(1)
    expect(s.requests).toEqual([null])
    s.version = 2
    for (let i = 0; i < 10; i++) expect(cache.latest(60_000)?.bundle.version).toBe(1)
    expect(s.requests, 'no request per ranking').toHaveLength(1)
    vi.setSystemTime(Date.now() + 60_001)
    // Due: this caller gets the model in memory, the answer serves the next one.
    expect(cache.latest(60_000)?.bundle.version).toBe(1)
    expect(cache.latest(60_000)?.bundle.version, 'one check in flight, not two').toBe(1)
    await vi.waitFor(() => expect(s.requests).toEqual([null, '"v1"']))
    await vi.waitFor(() => expect(cache.latest(60_000)?.bundle.version).toBe(2))
    expect(s.requests).toHaveLength(2)
  })

  it('shares one request between concurrent syncs, and starts from the copy on the device', async () => {
    const s = server()
    const store = new MemoryStore()
    await new ModelCache(store, '/').sync()
    let open!: () => void
    s.gate = new Promise((ok) => (open = ok))
    const cache = new ModelCache(store, '/')
    expect((await cache.load())?.bundle.version, 'the cached copy, before any request').toBe(1)
    const a = cache.sync()
    const b = cache.sync()
    open()
    expect(await a).toBe(await b)
    expect(s.requests).toEqual([null, '"v1"'])
  })
})
