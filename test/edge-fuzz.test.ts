/**
 * Fuzzing the real edge (`wrangler dev`) with 10,000 generated hostile payloads (fast-check):
 * mutated headers, shape tables, block scales and codes of a valid int8 update (the default
 * encoding, format 3), updates in another encoding, truncations, extensions, random bytes,
 * oversized bodies, wrong content types, query strings and replays. Each must get a 4xx
 * JSON error with a reason from the set its mutation can cause; workerd must never fail; the
 * model must stay byte for byte the same; and the round's count must equal the valid updates
 * sent between the batches, which then publish exactly their FedAvg.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelBundle, RoundConfig } from '../aggregator/src/index.js'
import { blockCount, decodeUpdate, QUANT_BLOCK, UPDATE_HEADER_BYTES_BY_VERSION, updateFormatVersion } from '../aggregator/src/index.js'
import { EXACT_MODEL, startEdge, type EdgeServer } from './support/edge.js'
import { deviceUpdate, getModel, getRound, postUpdate, reasonOf, valuesOffset, type Posted } from './support/rounds.js'

const CASES = 10_000
const BATCH = 500
const CONCURRENCY = 24
const MAX_UPLOAD = 60_000
const VALID = CASES / BATCH + 1
const SERVER_LR = 1

interface Case {
  readonly kind: string
  readonly body: Uint8Array
  readonly contentType: string
  readonly query: string
  /** Reasons this mutation may legitimately cause. */
  readonly reasons: readonly string[]
}

let edge: EdgeServer

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: String(VALID),
      FEDREC_EXPECTED_CLIENTS: String(VALID),
      FEDREC_NOISE_MULTIPLIER: '0.1',
      FEDREC_SERVER_LR: String(SERVER_LR),
      ...EXACT_MODEL,
      FEDREC_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
      FEDREC_RATE_LIMIT: '1000000',
      FEDREC_UPLOAD_RATE_LIMIT: '1000000',
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

/** Byte offsets of a payload's header and shape table (docs/PAYLOAD.md) that may be mutated: all but the nonce. */
function mutableHeaderOffsets(template: Uint8Array): number[] {
  const offsets: number[] = []
  for (let i = 0; i < valuesOffset(template); i++) if (i < 24 || i >= 40) offsets.push(i)
  return offsets
}

/**
 * @param template a valid int8 update (format 3): block scales at `dataStart`, then one code byte a value
 * @param otherEncodings valid updates of the same round in float32 and int4
 */
function hostileCases(template: Uint8Array, accepted: readonly Uint8Array[], otherEncodings: readonly Uint8Array[]): fc.Arbitrary<Case> {
  const octet = 'application/octet-stream'
  const header = mutableHeaderOffsets(template)
  const dataStart = valuesOffset(template)
  const headerBytes = UPDATE_HEADER_BYTES_BY_VERSION[updateFormatVersion(template)]
  const values = decodeUpdate(template).data.length
  const scales = blockCount(values)
  const codesStart = dataStart + 4 * scales
  const early = ['malformed', 'bad_magic', 'unsupported_version', 'non_finite', 'round_closed', 'stale_model', 'parameter_mismatch', 'shape_mismatch', 'norm_too_large', 'noise_too_small', 'clip_bit_out_of_range']
  const withBytes = (kind: string, body: Uint8Array, reasons: readonly string[], extra: Partial<Case> = {}): Case => ({ kind, body, contentType: octet, query: '', reasons, ...extra })

  const headerFlips = fc.uniqueArray(fc.constantFrom(...header), { minLength: 1, maxLength: 4 }).chain((offs) =>
    fc.tuple(fc.constant(offs), fc.array(fc.integer({ min: 1, max: 255 }), { minLength: offs.length, maxLength: offs.length })).map(([o, xs]) => {
      const b = template.slice()
      o.forEach((off, i) => (b[off] = b[off]! ^ xs[i]!))
      return withBytes('header-xor', b, early)
    }),
  )
  const nonFinite = fc.tuple(fc.integer({ min: 0, max: scales - 1 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)).map(([i, x]) => {
    const b = template.slice()
    new DataView(b.buffer).setFloat32(dataStart + 4 * i, x, true)
    return withBytes('non-finite-scale', b, ['non_finite'])
  })
  const negativeScale = fc.tuple(fc.integer({ min: 0, max: scales - 1 }), fc.double({ min: 1e-30, max: 3e38, noNaN: true })).map(([i, x]) => {
    const b = template.slice()
    new DataView(b.buffer).setFloat32(dataStart + 4 * i, -x, true)
    return withBytes('negative-scale', b, ['malformed'])
  })
  // One value pushed to the top code of its block, and the block's scale blown up.
  const spike = fc.tuple(fc.integer({ min: 0, max: values - 1 }), fc.double({ min: 1e3, max: 3e38, noNaN: true }), fc.boolean()).map(([i, x, neg]) => {
    const b = template.slice()
    b[codesStart + i] = neg ? 0x81 : 0x7f
    new DataView(b.buffer).setFloat32(dataStart + 4 * Math.floor(i / QUANT_BLOCK), x, true)
    return withBytes('spike', b, ['norm_too_large', 'non_finite'])
  })
  const unusedCode = fc.integer({ min: 0, max: values - 1 }).map((i) => {
    const b = template.slice()
    b[codesStart + i] = 0x80 // −128: outside −127..127
    return withBytes('unused-code', b, ['malformed'])
  })
  const rescaled = fc.oneof(fc.double({ min: 1.5, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true })).map((k) => {
    const b = template.slice()
    const dv = new DataView(b.buffer)
    for (let i = 0; i < scales; i++) dv.setFloat32(dataStart + 4 * i, dv.getFloat32(dataStart + 4 * i, true) * k, true)
    // k = 0 (or a scale rounding to 0) leaves non-zero codes in a block of scale 0: malformed.
    return withBytes('rescaled', b, k > 1 ? ['norm_too_large', 'non_finite'] : ['noise_too_small', 'malformed'])
  })
  const otherEncoding = fc.constantFrom(...otherEncodings).map((b) => withBytes('other-encoding', b.slice(), ['parameter_mismatch']))
  const truncated = fc.integer({ min: 0, max: template.length - 1 }).map((n) => withBytes('truncated', template.slice(0, n), ['malformed']))
  const extended = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => {
    const b = new Uint8Array(template.length + tail.length)
    b.set(template)
    b.set(tail, template.length)
    return withBytes('extended', b, ['malformed'])
  })
  const randomBytes = fc.uint8Array({ minLength: 0, maxLength: 4096 }).map((b) => withBytes('random', b, ['malformed', 'bad_magic']))
  const randomAfterMagic = fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((tail) => {
    const b = new Uint8Array(6 + tail.length)
    b.set(template.subarray(0, 6))
    b.set(tail, 6)
    return withBytes('random-after-magic', b, early)
  })
  const oversized = fc.integer({ min: MAX_UPLOAD + 1, max: MAX_UPLOAD + 20_000 }).map((n) => withBytes('oversized', new Uint8Array(n).fill(7), ['too_large']))
  const wrongType = fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/octet', 'image/png', '').map((t) =>
    withBytes('content-type', template.slice(), ['bad_content_type'], { contentType: t }),
  )
  const query = fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 16 })).map(([k, val]) =>
    withBytes('query', template.slice(), ['bad_request'], { query: `?${k}=${encodeURIComponent(val)}` }),
  )
  const json = fc.json({ maxDepth: 3 }).map((j) => withBytes('json', new TextEncoder().encode(j), ['malformed', 'bad_magic']))
  const replay = fc.integer({ min: 0, max: Math.max(0, accepted.length - 1) }).map((i) => withBytes('replay', (accepted[i] ?? new Uint8Array(0)).slice(), accepted.length ? ['replay'] : ['malformed']))
  const shapeSwap = fc.constant(null).map(() => {
    // [rows, cols] → [cols, rows] for the first tensor: same byte length, wrong shape.
    const b = template.slice()
    const dv = new DataView(b.buffer)
    const rows = dv.getUint32(headerBytes + 4, true)
    dv.setUint32(headerBytes + 4, dv.getUint32(headerBytes + 8, true), true)
    dv.setUint32(headerBytes + 8, rows, true)
    return withBytes('shape-swap', b, ['shape_mismatch'])
  })
  return fc.oneof(
    { arbitrary: headerFlips, weight: 6 },
    { arbitrary: nonFinite, weight: 2 },
    { arbitrary: negativeScale, weight: 1 },
    { arbitrary: spike, weight: 2 },
    { arbitrary: unusedCode, weight: 1 },
    { arbitrary: otherEncoding, weight: 1 },
    { arbitrary: rescaled, weight: 1 },
    { arbitrary: truncated, weight: 3 },
    { arbitrary: extended, weight: 1 },
    { arbitrary: randomBytes, weight: 3 },
    { arbitrary: randomAfterMagic, weight: 3 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: wrongType, weight: 1 },
    { arbitrary: query, weight: 1 },
    { arbitrary: json, weight: 1 },
    { arbitrary: replay, weight: 1 },
    { arbitrary: shapeSwap, weight: 1 },
  )
}

async function send(c: Case): Promise<Posted> {
  const res = await fetch(`${edge.url}v1/updates${c.query}`, { method: 'POST', body: new Uint8Array(c.body), headers: c.contentType ? { 'content-type': c.contentType } : {} })
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    json = { unparsable: text.slice(0, 200) }
  }
  return { status: res.status, json, headers: res.headers }
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i]!)
      }
    }),
  )
  return out
}

describe('fuzzing the edge', () => {
  it(`answers ${CASES} hostile payloads with 4xx reasons, never crashes, and counts only the valid updates`, async () => {
    const r: RoundConfig = await getRound(edge.url)
    const m: ModelBundle = await getModel(edge.url)
    const modelBytes = new Uint8Array(await (await fetch(`${edge.url}v1/model`)).arrayBuffer())
    const template = deviceUpdate(r, m, 1).bytes
    expect(template.length).toBeLessThan(MAX_UPLOAD)
    expect(updateFormatVersion(template), 'the default encoding: int8 values, format 3').toBe(3)
    const otherEncodings = [deviceUpdate({ ...r, updateEncoding: 'float32' }, m, 2).bytes, deviceUpdate({ ...r, updateEncoding: 'int4' }, m, 3).bytes]

    const accepted: Uint8Array[] = []
    const deltas: Float32Array[] = []
    const failures: string[] = []
    const byKind = new Map<string, number>()
    const byReason = new Map<string, number>()
    let sent = 0
    for (let batch = 0; sent < CASES; batch++) {
      const cases = fc.sample(hostileCases(template, accepted, otherEncodings), { numRuns: Math.min(BATCH, CASES - sent), seed: 9000 + batch })
      const answers = await pool(cases, CONCURRENCY, send)
      answers.forEach((a, i) => {
        const c = cases[i]!
        const reason = reasonOf(a)
        byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1)
        byReason.set(String(reason), (byReason.get(String(reason)) ?? 0) + 1)
        const message = (a.json.error as { message?: unknown } | undefined)?.message
        const ok = a.status >= 400 && a.status < 500 && a.status !== 429 && typeof message === 'string' && message.length > 0 && reason !== undefined && c.reasons.includes(reason)
        if (!ok && failures.length < 20) failures.push(`${c.kind} (${c.body.length} bytes, ${c.contentType}${c.query}) → ${a.status} ${JSON.stringify(a.json).slice(0, 300)}`)
      })
      sent += cases.length

      // One valid device update between batches: it must be counted, exactly once.
      const valid = deviceUpdate(r, m, 100 + batch)
      const res = await postUpdate(edge.url, valid.bytes)
      expect(res, `valid update after batch ${batch}`).toMatchObject({ status: 202, json: { received: accepted.length + 1, published: null } })
      accepted.push(valid.bytes)
      deltas.push(valid.delta)
    }
    console.info(`fuzz: ${sent} hostile payloads by kind ${JSON.stringify(Object.fromEntries(byKind))}; reasons ${JSON.stringify(Object.fromEntries(byReason))}`)
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(10_000)

    expect((await fetch(`${edge.url}v1/health`)).status).toBe(200)
    expect(edge.log()).not.toMatch(/Uncaught|\[fedrec-edge\]|internal error/)
    const after = new Uint8Array(await (await fetch(`${edge.url}v1/model`)).arrayBuffer())
    expect(Buffer.compare(Buffer.from(after), Buffer.from(modelBytes)), 'the model is byte for byte unchanged').toBe(0)
    expect(await getRound(edge.url)).toMatchObject({ roundId: r.roundId })

    // The last valid update closes the round: the published model is the FedAvg of the valid ones only.
    const last = deviceUpdate(r, m, 99)
    expect(await postUpdate(edge.url, last.bytes)).toMatchObject({ status: 202, json: { received: VALID, published: m.version + 1 } })
    deltas.push(last.delta)
    const next = await getModel(edge.url)
    let maxErr = 0
    for (let i = 0; i < next.weights.length; i++) {
      let s = 0
      for (const d of deltas) s += d[i]!
      maxErr = Math.max(maxErr, Math.abs(next.weights[i]! - (m.weights[i]! + (SERVER_LR * s) / VALID)))
    }
    expect(maxErr).toBeLessThan(1e-5)
  })
})
