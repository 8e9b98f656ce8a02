/**
 * The edge worker under `wrangler dev` as devices see it over HTTP: a round accumulates updates
 * in Durable Object storage, survives a crash of workerd, refuses replays and malformed payloads
 * with a reason, and publishes exactly w + η·ΣΔ/n_expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelBundle, RoundConfig } from '../aggregator/src/index.js'
import { EXACT_MODEL, PLAIN_FEDAVG, REPO_ROOT, startEdge, type EdgeServer } from './support/edge.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { applyFedAvg, decodeModel, encodeModel, RoundSum } from '../aggregator/src/index.js'
import { deviceUpdate, getModel, getRound, postUpdate, valuesOffset } from './support/rounds.js'

let edge: EdgeServer

const SERVER_LR = 0.5

const round = (): Promise<RoundConfig> => getRound(edge.url)
const model = (): Promise<ModelBundle> => getModel(edge.url)
const post = (body: Uint8Array | string, contentType?: string) => postUpdate(edge.url, body, contentType)

beforeAll(async () => {
  edge = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '2', FEDREC_EXPECTED_CLIENTS: '3', ...PLAIN_FEDAVG, FEDREC_SERVER_LR: String(SERVER_LR), FEDREC_NOISE_MULTIPLIER: '0.05', FEDREC_CLIP_NORM: '1', ...EXACT_MODEL } })
})
afterAll(async () => {
  await edge?.stop()
})

describe('edge worker rounds', () => {
  it('refuses malformed payloads with a 4xx reason and counts none of them', async () => {
    const r = await round()
    const m = await model()
    const good = deviceUpdate(r, m, 1)
    const cases: [string, Uint8Array | string, string, number, string][] = [
      ['wrong content type', good.bytes, 'application/json', 415, 'bad_content_type'],
      ['not our format', new TextEncoder().encode(JSON.stringify({ event: 'view_item', items: [{ item_id: 'SKU-1' }], note: 'x'.repeat(64) })), 'application/octet-stream', 400, 'bad_magic'],
      ['truncated', good.bytes.slice(0, 30), 'application/octet-stream', 400, 'malformed'],
    ]
    expect(r.updateEncoding, 'the default: int8 updates').toBe('int8')
    const nan = good.bytes.slice()
    new DataView(nan.buffer).setFloat32(valuesOffset(nan), Number.NaN, true) // the first block's scale
    cases.push(['NaN in the data', nan, 'application/octet-stream', 400, 'non_finite'])
    const stale = deviceUpdate({ ...r, roundId: r.roundId + 5 }, m, 2).bytes
    cases.push(['another round', stale, 'application/octet-stream', 409, 'round_closed'])
    const loud = deviceUpdate({ ...r, noiseMultiplier: 0 }, m, 3).bytes
    cases.push(['parameters other than the round’s', loud, 'application/octet-stream', 422, 'parameter_mismatch'])
    cases.push(['float32 values in an int8 round', deviceUpdate({ ...r, updateEncoding: 'float32' }, m, 4).bytes, 'application/octet-stream', 422, 'parameter_mismatch'])
    cases.push(['int4 values in an int8 round', deviceUpdate({ ...r, updateEncoding: 'int4' }, m, 5).bytes, 'application/octet-stream', 422, 'parameter_mismatch'])
    for (const [what, body, type, status, reason] of cases) {
      const res = await post(body, type)
      expect({ what, status: res.status, reason: (res.json.error as { reason: string } | undefined)?.reason }).toEqual({ what, status, reason })
      expect(typeof (res.json.error as { message: string }).message).toBe('string')
    }
    expect((await round()).roundId, 'no bad payload closed the round').toBe(r.roundId)
  })

  it('keeps acknowledged updates through a crash, refuses a replay, and publishes the exact FedAvg', async () => {
    const r = await round()
    const m = await model()
    const a = deviceUpdate(r, m, 11)
    const first = await post(a.bytes)
    expect(first).toMatchObject({ status: 202, json: { received: 1 } })

    await edge.restart() // SIGKILL: no graceful shutdown

    expect(await round(), 'the same round is open after the restart').toMatchObject({ roundId: r.roundId })
    const replay = await post(a.bytes)
    expect(replay.status).toBe(409)
    expect(replay.json.error).toMatchObject({ reason: 'replay' })
    const b = deviceUpdate(r, m, 12)
    expect(await post(b.bytes)).toMatchObject({ status: 202, json: { received: 2 } })
    const c = deviceUpdate(r, m, 13)
    expect(await post(c.bytes)).toMatchObject({ status: 202, json: { received: 3, published: m.version + 1 } })

    const next = await model()
    expect(next.version).toBe(m.version + 1)
    // w' = w + η · (Δa + Δb + Δc) / n_expected, in float32 on the wire.
    let maxErr = 0
    for (let i = 0; i < next.weights.length; i++) {
      const want = m.weights[i]! + (SERVER_LR * (a.delta[i]! + b.delta[i]! + c.delta[i]!)) / 3
      maxErr = Math.max(maxErr, Math.abs(next.weights[i]! - want))
    }
    expect(maxErr).toBeLessThan(1e-6)
    const ledger = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: Record<string, unknown>[] }
    expect(ledger.rounds.at(-1)).toMatchObject({ roundId: r.roundId, cohortSize: 3, outcome: 'published', fromVersion: m.version, publishedVersion: m.version + 1, noiseMultiplier: 0.05, clipNorm: 1, noiseMode: 'local' })
  })

  it('serves the model with an ETag and answers 304 while it is unchanged', async () => {
    const res = await fetch(`${edge.url}v1/model`)
    const etag = res.headers.get('etag')
    expect(etag).toMatch(/^"v\d+"$/)
    const again = await fetch(`${edge.url}v1/model`, { headers: { 'if-none-match': etag! } })
    expect(again.status).toBe(304)
  })
})

describe('the default wire: int8 updates, int8-row model over a float32 master', () => {
  it('publishes int8 rows of the float32 master w + ΣΔ/n, byte for byte, where Δ are the dequantised updates', async () => {
    const q = await startEdge({ vars: { FEDREC_MIN_CLIENTS: '2', FEDREC_EXPECTED_CLIENTS: '2', FEDREC_NOISE_MULTIPLIER: '0.05', FEDREC_SERVER_LR: '1' } })
    try {
      const master = decodeModel(readFileSync(join(REPO_ROOT, 'dist/public/model/initial.bin')))
      const res = await fetch(`${q.url}v1/model`)
      const served = new Uint8Array(await res.arrayBuffer())
      expect(new DataView(served.buffer).getUint16(4, true), 'model format 2 (int8 rows)').toBe(2)
      expect(Buffer.from(served).equals(Buffer.from(encodeModel(master, { encoding: 'int8-rows' })))).toBe(true)
      expect((await fetch(`${q.url}v1/model`, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304)

      const r = await getRound(q.url)
      expect(r.updateEncoding).toBe('int8')
      const m = decodeModel(served) // what a device trains from: the dequantised weights
      const sum = new RoundSum(m.weights.length)
      for (const seed of [21, 22]) {
        const u = deviceUpdate(r, m, seed)
        expect(new DataView(u.bytes.buffer).getUint16(4, true), 'update format 3').toBe(3)
        expect(u.bytes.length).toBeLessThan(0.3 * 4 * m.weights.length)
        expect((await postUpdate(q.url, u.bytes)).status).toBe(202)
        sum.add(u.delta)
      }
      const next = { version: master.version + 1, description: master.description, weights: applyFedAvg(master.weights, sum.sum, { expectedClients: 2, serverLearningRate: 1 }) }
      const published = new Uint8Array(await (await fetch(`${q.url}v1/model`)).arrayBuffer())
      expect(Buffer.from(published).equals(Buffer.from(encodeModel(next, { encoding: 'int8-rows' }))), 'the step was taken from the float32 master, then quantised').toBe(true)
    } finally {
      await q.stop()
    }
  })
})

