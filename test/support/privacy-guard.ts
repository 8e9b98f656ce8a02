/**
 * Checks captured traffic against the privacy promise: nothing a shopper did, and nothing that
 * could single a device out, leaves the browser.
 */
import type { CapturedRequest } from './browser.js'

/** What must never appear in any URL, header or body. */
export interface Secrets {
  /** Every item id of the catalogue (SKUs), not only the ones browsed. */
  readonly itemIds: readonly string[]
  /** Search terms the shoppers typed. */
  readonly queries: readonly string[]
  /** GA4 event names recorded on the device. */
  readonly eventNames: readonly string[]
}

export interface Leak {
  readonly url: string
  readonly where: 'url' | 'header' | 'body'
  readonly what: string
}

/** The text forms a secret could take inside a request: raw, URL-encoded, UTF-16. */
function forms(secret: string): string[] {
  const utf16 = Buffer.from(secret, 'utf16le').toString('latin1')
  return [...new Set([secret, secret.toLowerCase(), encodeURIComponent(secret), utf16])]
}

/**
 * Every place a secret or a cookie shows up in the requests.
 * @example expect(findLeaks(await net.settled(), secrets)).toEqual([])
 */
export function findLeaks(requests: readonly CapturedRequest[], secrets: Secrets): Leak[] {
  const leaks: Leak[] = []
  const needles = [
    ...secrets.itemIds.map((s) => ({ s, what: `item id ${s}` })),
    ...secrets.queries.map((s) => ({ s, what: `search query "${s}"` })),
    ...secrets.eventNames.map((s) => ({ s, what: `event name ${s}` })),
  ].flatMap(({ s, what }) => forms(s).map((f) => ({ f, what })))
  for (const r of requests) {
    const url = decodeURIComponent(r.url)
    const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)
    const body = r.body ? r.body.toString('latin1') : ''
    for (const [k] of Object.entries(r.headers)) {
      if (k.toLowerCase() === 'cookie' || k.toLowerCase() === 'authorization') leaks.push({ url: r.url, where: 'header', what: `${k} header` })
    }
    for (const { f, what } of needles) {
      if (url.includes(f) || r.url.includes(f)) leaks.push({ url: r.url, where: 'url', what })
      if (headers.some((h) => h.includes(f))) leaks.push({ url: r.url, where: 'header', what })
      if (body.includes(f)) leaks.push({ url: r.url, where: 'body', what })
    }
  }
  return leaks
}

/** Tokens of 8+ characters drawn from a request's URL query, headers and (text) body. */
function tokens(r: CapturedRequest): Set<string> {
  const u = new URL(r.url)
  const text = [u.search, u.hash, ...Object.values(r.headers)]
  if (r.body && /json|text|form/.test(r.headers['content-type'] ?? '')) text.push(r.body.toString('utf8'))
  return new Set(text.flatMap((t) => t.split(/[^A-Za-z0-9_-]+/)).filter((t) => t.length >= 8))
}

/**
 * Values that one device repeats across its own requests but no other device sends: the shape
 * of a device or user identifier (a cookie, a client id in a header, a query parameter).
 * @example expect(stableIdentifiers([logA, logB, logC])).toEqual([])
 */
export function stableIdentifiers(perDevice: readonly (readonly CapturedRequest[])[]): string[] {
  const counts = perDevice.map((reqs) => {
    const c = new Map<string, number>()
    for (const r of reqs) for (const t of tokens(r)) c.set(t, (c.get(t) ?? 0) + 1)
    return c
  })
  const found: string[] = []
  counts.forEach((c, i) => {
    for (const [t, n] of c) {
      if (n < 2) continue
      const elsewhere = counts.some((o, j) => j !== i && o.has(t))
      if (!elsewhere) found.push(`device ${i} repeats '${t}' in ${n} requests`)
    }
  })
  return found
}
