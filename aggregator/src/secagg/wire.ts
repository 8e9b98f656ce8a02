/**
 * How secure-aggregation messages travel over HTTP: JSON with byte strings in base64url, except
 * the masked input, which is binary (token ‖ little-endian words). Decoders check every field and
 * refuse anything else with a PayloadRejectedError, so the edge answers 400 with a reason.
 */
import { PayloadRejectedError, RejectReason } from '../errors.js'
import type { AdvertiseKeys, Inbox, Roster, ShareKeys, Survivors, UnmaskShares } from './messages.js'

/** Bytes of the per-run session token a cohort hands each member at join. */
export const TOKEN_BYTES = 16

function bad(message: string): never {
  throw new PayloadRejectedError(RejectReason.Malformed, message, 400)
}

/** Base64url without padding. */
export function toB64(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Parses base64url; `what` names the field in the error. */
export function fromB64(value: unknown, what: string, length?: number): Uint8Array<ArrayBuffer> {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) bad(`${what} must be a base64url string`)
  let bin: string
  try {
    bin = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4))
  } catch {
    bad(`${what} is not valid base64url`)
  }
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  if (length !== undefined && out.length !== length) bad(`${what} must be ${length} bytes, got ${out.length}`)
  return out
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${what} must be a JSON object`)
  return value as Record<string, unknown>
}

function arr(value: unknown, what: string, max = 0xffff): unknown[] {
  if (!Array.isArray(value) || value.length > max) bad(`${what} must be an array of at most ${max} entries`)
  return value
}

function index(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xfffe) bad(`${what} must be a cohort index`)
  return value
}

/** The member's session token from a JSON body. */
export function tokenFromJson(body: unknown): string {
  const t = obj(body, 'body').token
  fromB64(t, 'token', TOKEN_BYTES)
  return t as string
}

export const AdvertiseKeysJson = {
  encode: (m: AdvertiseKeys) => ({ encryptionKey: toB64(m.encryptionKey), maskingKey: toB64(m.maskingKey) }),
  decode: (v: unknown): AdvertiseKeys => {
    const o = obj(v, 'keys')
    return { encryptionKey: fromB64(o.encryptionKey, 'encryptionKey', 65), maskingKey: fromB64(o.maskingKey, 'maskingKey', 65) }
  },
}

export const RosterJson = {
  encode: (m: Roster) => ({ threshold: m.threshold, neighbours: m.neighbours.map((n) => ({ index: n.index, ...AdvertiseKeysJson.encode(n) })) }),
  decode: (v: unknown): Roster => {
    const o = obj(v, 'roster')
    if (typeof o.threshold !== 'number' || !Number.isInteger(o.threshold)) bad('roster threshold must be an integer')
    return {
      threshold: o.threshold,
      neighbours: arr(o.neighbours, 'roster neighbours').map((n, i) => ({ index: index(obj(n, `neighbour ${i}`).index, `neighbour ${i} index`), ...AdvertiseKeysJson.decode(n) })),
    }
  },
}

export const ShareKeysJson = {
  encode: (m: ShareKeys) => ({ selfMaskCommitment: toB64(m.selfMaskCommitment), shares: m.shares.map((s) => ({ to: s.to, sealed: toB64(s.sealed) })) }),
  decode: (v: unknown): ShareKeys => {
    const o = obj(v, 'shares')
    return {
      selfMaskCommitment: fromB64(o.selfMaskCommitment, 'selfMaskCommitment', 32),
      shares: arr(o.shares, 'shares').map((s, i) => {
        const e = obj(s, `share ${i}`)
        return { to: index(e.to, `share ${i} recipient`), sealed: fromB64(e.sealed, `share ${i}`) }
      }),
    }
  },
}

export const InboxJson = {
  encode: (m: Inbox) => ({ shares: m.shares.map((s) => ({ from: s.from, sealed: toB64(s.sealed) })) }),
  decode: (v: unknown): Inbox => ({
    shares: arr(obj(v, 'inbox').shares, 'inbox shares').map((s, i) => {
      const e = obj(s, `inbox share ${i}`)
      return { from: index(e.from, `inbox share ${i} sender`), sealed: fromB64(e.sealed, `inbox share ${i}`) }
    }),
  }),
}

export const SurvivorsJson = {
  encode: (m: Survivors) => ({ survivors: [...m.survivors] }),
  decode: (v: unknown): Survivors => ({ survivors: arr(obj(v, 'survivors').survivors, 'survivors').map((x, i) => index(x, `survivor ${i}`)) }),
}

export const UnmaskSharesJson = {
  encode: (m: UnmaskShares) => ({
    selfMaskShares: m.selfMaskShares.map((s) => ({ of: s.of, share: toB64(s.share) })),
    maskingKeyShares: m.maskingKeyShares.map((s) => ({ of: s.of, share: toB64(s.share) })),
  }),
  decode: (v: unknown): UnmaskShares => {
    const o = obj(v, 'unmask')
    const list = (x: unknown, what: string) =>
      arr(x, what).map((s, i) => {
        const e = obj(s, `${what} ${i}`)
        return { of: index(e.of, `${what} ${i} owner`), share: fromB64(e.share, `${what} ${i}`) }
      })
    return { selfMaskShares: list(o.selfMaskShares, 'selfMaskShares'), maskingKeyShares: list(o.maskingKeyShares, 'maskingKeyShares') }
  },
}

/**
 * Binary masked input: the 16-byte session token, then the words little-endian. No header
 * beyond that: the cohort knows the vector length.
 * @example const body = encodeMaskedInput(token, masked)
 */
export function encodeMaskedInput(token: string, words: Uint32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(TOKEN_BYTES + 4 * words.length)
  out.set(fromB64(token, 'token', TOKEN_BYTES))
  const dv = new DataView(out.buffer)
  for (let i = 0; i < words.length; i++) dv.setUint32(TOKEN_BYTES + 4 * i, words[i]!, true)
  return out
}

/** @throws PayloadRejectedError when the body is not a token and a whole number of words */
export function decodeMaskedInput(bytes: Uint8Array): { token: string; words: Uint32Array } {
  if (bytes.length < TOKEN_BYTES || (bytes.length - TOKEN_BYTES) % 4 !== 0) bad(`masked input must be a ${TOKEN_BYTES}-byte token and whole 32-bit words`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const words = new Uint32Array((bytes.length - TOKEN_BYTES) / 4)
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(TOKEN_BYTES + 4 * i, true)
  return { token: toB64(bytes.subarray(0, TOKEN_BYTES)), words }
}
