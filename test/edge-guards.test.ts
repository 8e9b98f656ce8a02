/**
 * The edge's request guards under `wrangler dev`: CORS only for configured shop origins (others
 * get a 403), query and header schemas, rate limits per origin + connection (429 with a reason
 * and Retry-After), a configured model lag, and robust (median) aggregation wired into publishing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { coordinateMedian } from '../aggregator/src/index.js'
import { EXACT_MODEL, startEdge, type EdgeServer } from './support/edge.js'
import { deviceUpdate, getModel, getRound, postUpdate, reasonOf } from './support/rounds.js'

const SHOP_A = 'http://shop-a.test'
const SHOP_B = 'http://shop-b.test'
const RATE = 40
const UPLOADS = 6

let edge: EdgeServer

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_ALLOWED_ORIGINS: `${SHOP_A},${SHOP_B}`,
      FEDREC_RATE_LIMIT: String(RATE),
      FEDREC_UPLOAD_RATE_LIMIT: String(UPLOADS),
      FEDREC_RATE_WINDOW_SECONDS: '600',
      FEDREC_MIN_CLIENTS: '3',
      FEDREC_EXPECTED_CLIENTS: '3',
      FEDREC_MAX_MODEL_LAG: '1',
      FEDREC_NOISE_MULTIPLIER: '0.05',
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>
}

describe('CORS', () => {
  it('answers configured shop origins with their own origin and refuses others with a 403 reason', async () => {
    const ok = await fetch(`${edge.url}v1/round`, { headers: { origin: SHOP_A } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP_A)
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull()

    const evil = await fetch(`${edge.url}v1/round`, { headers: { origin: 'http://evil.test' } })
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    expect(reasonOf({ json: await json(evil) })).toBe('origin_not_allowed')

    const upload = await fetch(`${edge.url}v1/updates`, { method: 'POST', headers: { origin: 'http://evil.test', 'content-type': 'application/octet-stream' }, body: new Uint8Array(8) })
    expect(upload.status).toBe(403)
  })

  it('lets a shop origin preflight an upload and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${edge.url}v1/updates`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    const ok = await preflight(SHOP_B)
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP_B)
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST')
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')
    const bad = await preflight('http://evil.test')
    expect(bad.headers.get('access-control-allow-origin')).toBeNull()
    expect(bad.status).toBe(403)
  })

  it('treats the edge’s own origin as same-origin', async () => {
    const res = await fetch(`${edge.url}v1/round`, { headers: { origin: new URL(edge.url).origin } })
    expect(res.status).toBe(200)
  })
})

describe('request schemas', () => {
  it('refuses unknown query parameters and oversized headers with a reason naming the field', async () => {
    for (const path of ['v1/round?debug=1', 'v1/model?v=2', 'v1/privacy?all', 'v1/health?x=y']) {
      const res = await fetch(`${edge.url}${path}`, { headers: { origin: SHOP_A } })
      const body = await json(res)
      expect({ path, status: res.status, reason: reasonOf({ json: body }) }).toEqual({ path, status: 400, reason: 'bad_request' })
      expect(String((body.error as { message: string }).message)).toMatch(/^query/)
    }
    const etag = await fetch(`${edge.url}v1/model`, { headers: { origin: SHOP_A, 'if-none-match': 'x'.repeat(100) } })
    expect(etag.status).toBe(400)
    expect((await json(etag)).error).toMatchObject({ reason: 'bad_request', message: expect.stringContaining('if-none-match') })
    const upload = await postUpdate(edge.url, new Uint8Array(64), 'application/octet-stream', { origin: SHOP_A, 'x-unused': '1' })
    expect(reasonOf(upload), 'headers the schema does not name are ignored, the body is still checked').toBe('bad_magic')
  })
})

describe('rate limits per origin and connection', () => {
  it('answers 429 with a reason and Retry-After past the upload limit, then past the request limit, per origin', async () => {
    const statuses: number[] = []
    let limited: Awaited<ReturnType<typeof postUpdate>> | null = null
    for (let i = 0; i <= UPLOADS; i++) {
      const p = await postUpdate(edge.url, new Uint8Array(64), 'application/octet-stream', { origin: SHOP_B })
      statuses.push(p.status)
      if (p.status === 429) limited = p
    }
    expect(statuses).toEqual([...Array(UPLOADS).fill(400), 429])
    expect(reasonOf(limited!)).toBe('rate_limited')
    const retryAfter = Number(limited!.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(600)
    expect(limited!.headers.get('access-control-allow-origin'), 'a shop page can read the 429').toBe(SHOP_B)

    // Another shop origin on the same connection has its own counters.
    expect((await postUpdate(edge.url, new Uint8Array(64), 'application/octet-stream', { origin: SHOP_A })).status).toBe(400)

    // Every request of SHOP_B so far counted against its request limit too: UPLOADS + 1.
    const reads: number[] = []
    for (let i = UPLOADS + 1; i <= RATE; i++) reads.push((await fetch(`${edge.url}v1/round`, { headers: { origin: SHOP_B } })).status)
    expect(reads.slice(0, -1).every((s) => s === 200)).toBe(true)
    expect(reads.at(-1)).toBe(429)
    const health = await fetch(`${edge.url}v1/health`, { headers: { origin: SHOP_B } })
    expect(health.status, 'health checks are never limited').toBe(200)
  })
})

describe('model lag', () => {
  it('accepts an update computed on the previous model when FEDREC_MAX_MODEL_LAG=1, never on a newer one', async () => {
    const r = await getRound(edge.url)
    const m = await getModel(edge.url)
    for (let i = 0; i < 3; i++) expect((await postUpdate(edge.url, deviceUpdate(r, m, 100 + i).bytes)).status).toBe(202)
    const r2 = await getRound(edge.url)
    expect(r2).toMatchObject({ roundId: r.roundId + 1, modelVersion: m.version + 1 })
    const lagging = await postUpdate(edge.url, deviceUpdate({ ...r2, modelVersion: m.version }, m, 200).bytes)
    expect(lagging.status).toBe(202)
    const ahead = await postUpdate(edge.url, deviceUpdate({ ...r2, modelVersion: m.version + 2 }, m, 201).bytes)
    expect({ status: ahead.status, reason: reasonOf(ahead) }).toEqual({ status: 409, reason: 'stale_model' })
  })
})

describe('robust aggregation', () => {
  it('publishes w + η·median(Δ) with FEDREC_ROBUST_AGGREGATION=median: one large update does not drag the model', async () => {
    const robust = await startEdge({ vars: { FEDREC_ROBUST_AGGREGATION: 'median', FEDREC_MIN_CLIENTS: '3', FEDREC_EXPECTED_CLIENTS: '3', FEDREC_NOISE_MULTIPLIER: '0.1', FEDREC_SERVER_LR: '1', ...EXACT_MODEL, FEDREC_UPDATE_ENCODING: 'float32' } })
    try {
      const r = await getRound(robust.url)
      const m = await getModel(robust.url)
      // Two ordinary noised updates and one pushed 0.04 along every coordinate (still within the norm bound).
      const deltas = [1, 2, 3].map((seed) => deviceUpdate(r, m, seed).delta)
      for (let i = 0; i < deltas[2]!.length; i++) deltas[2]![i] = deltas[2]![i]! + 0.04
      for (const d of deltas) expect((await postUpdate(robust.url, deviceUpdate(r, m, 0, { delta: d }).bytes)).status).toBe(202)
      const next = await getModel(robust.url)
      expect(next.version).toBe(m.version + 1)
      const median = coordinateMedian(deltas)
      let maxErr = 0
      let meanGap = 0
      for (let i = 0; i < median.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(next.weights[i]! - (m.weights[i]! + median[i]!)))
        meanGap += (m.weights[i]! + (deltas[0]![i]! + deltas[1]![i]! + deltas[2]![i]!) / 3 - next.weights[i]!) ** 2
      }
      expect(Math.sqrt(meanGap), 'the median is not the mean').toBeGreaterThan(0.1)
      expect(maxErr).toBeLessThan(1e-6)
    } finally {
      await robust.stop()
    }
  })
})
