/**
 * Every request the SDK makes to the fedrec API goes through here, so the privacy settings are
 * set once: no cookies or HTTP auth (`credentials: 'omit'`), no Referer, no HTTP cache entry.
 */
const PRIVATE: RequestInit = { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' }

/**
 * @example const res = await apiFetch('https://shop.example/', 'v1/round')
 */
export function apiFetch(apiBase: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${apiBase}${path}`, { ...init, ...PRIVATE })
}
