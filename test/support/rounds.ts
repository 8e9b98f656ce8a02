/** Talking to a running edge the way devices do: read the round and model, build and post updates. */
import { honestPayload, seededDelta } from '../../aggregator/src/testing/payloads.js'
import { decodeModel, layoutSize, uploadLayout, decodeUpdate, encodeUpdate, encodingField, updateFormatVersion, UPDATE_HEADER_BYTES_BY_VERSION, NONCE_BYTES, privatizeInPlace, roundUpdateEncoding, seededRandomFill, type ModelBundle, type RoundConfig } from '../../aggregator/src/index.js'

export interface Posted {
  readonly status: number
  readonly json: Record<string, unknown>
  readonly headers: Headers
}

/** The `error.reason` of a JSON error answer, if any. */
export function reasonOf(p: Pick<Posted, 'json'>): string | undefined {
  return (p.json.error as { reason?: string } | undefined)?.reason
}

export async function getRound<R extends RoundConfig = RoundConfig>(base: string): Promise<R> {
  return (await (await fetch(`${base}v1/round`)).json()) as R
}

export async function getModel(base: string): Promise<ModelBundle> {
  return decodeModel(new Uint8Array(await (await fetch(`${base}v1/model`)).arrayBuffer()))
}

/**
 * Offset of the values in an encoded update: right after the shape table, where a float32
 * payload's first value and a quantised payload's first block scale sit (docs/PAYLOAD.md).
 */
export function valuesOffset(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const header = UPDATE_HEADER_BYTES_BY_VERSION[updateFormatVersion(bytes)]
  let off = header
  for (let t = dv.getUint32(header - 4, true); t > 0; t--) off += 4 + 4 * dv.getUint32(off, true)
  return off
}

/** POSTs a body to /v1/updates and reads the JSON answer (every answer of the API is JSON). */
export async function postUpdate(base: string, body: Uint8Array | string, contentType = 'application/octet-stream', headers: Record<string, string> = {}): Promise<Posted> {
  const res = await fetch(`${base}v1/updates`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': contentType, ...headers } })
  const text = await res.text()
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    json = { unparsable: text }
  }
  return { status: res.status, json, headers: res.headers }
}

/**
 * A device's update as the SDK builds it: a seeded random delta of the given scale, clipped and
 * noised for the round, in the round's update encoding. `delta` is what the server will sum: the
 * values as sent, dequantised when the round quantises them.
 */
export function deviceUpdate(r: RoundConfig, m: ModelBundle, seed: number, opts: { scale?: number; delta?: Float32Array } = {}): { bytes: Uint8Array; delta: Float32Array } {
  // A row-subset round's update carries the announced rows of the item table (row-subset.ts).
  const sent = uploadLayout(m.description.layout, r.rowSubset)
  let delta = opts.delta
  if (!delta) {
    delta = seededDelta(layoutSize(sent), seed, opts.scale ?? 0.01)
    privatizeInPlace(delta, r, seededRandomFill(seed + 1000))
  }
  const nonce = new Uint8Array(NONCE_BYTES)
  crypto.getRandomValues(nonce)
  const encoding = roundUpdateEncoding(r)
  const bytes = encodeUpdate({ modelVersion: r.modelVersion, roundId: r.roundId, clipNorm: r.clipNorm, noiseMultiplier: r.noiseMultiplier, noiseMode: r.noiseMode, nonce, shapes: sent.map((t) => t.shape), data: delta, ...encodingField(encoding) })
  return { bytes, delta: encoding === 'float32' ? delta : decodeUpdate(bytes).data }
}

/**
 * `clients` honest devices (seeds seed, seed + 10, …) take part in the open round; returns the
 * round and model they started from and the sum of what they sent, for recomputing the step.
 * @throws Error when the edge refuses one of them
 */
export async function playHonestRound(base: string, seed: number, clients = 3): Promise<{ r: RoundConfig; m: ModelBundle; sum: Float64Array }> {
  const r = await getRound(base)
  const m = await getModel(base)
  const sum = new Float64Array(m.weights.length)
  for (let i = 0; i < clients; i++) {
    const { bytes } = honestPayload(r, m.description.layout, seed + 10 * i)
    decodeUpdate(bytes).data.forEach((x, j) => (sum[j] = sum[j]! + x))
    const posted = await postUpdate(base, bytes)
    if (posted.status !== 202) throw new Error(`update ${i} of round ${r.roundId} refused: ${posted.status} ${JSON.stringify(posted.json)}`)
  }
  return { r, m, sum }
}
