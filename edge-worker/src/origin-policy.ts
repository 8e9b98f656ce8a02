/**
 * CORS for the configured shop origins only. A cross-origin request from any other origin gets a
 * 403 JSON error (browsers would block reading the answer anyway; refusing it also keeps
 * "simple" cross-site requests from other pages from reaching the round).
 */
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { RejectReason } from '../../aggregator/src/index.js'

/**
 * @example app.use('/v1/*', originPolicy(() => ['https://shop.example']))
 */
export function originPolicy<E extends object>(allowed: (env: E) => readonly string[]): MiddlewareHandler<{ Bindings: E }> {
  return async (c, next) => {
    const list = allowed(c.env)
    const origin = c.req.header('origin')
    const self = new URL(c.req.url).origin
    if (origin !== undefined && origin !== self && !list.includes(origin)) {
      return c.json({ error: { reason: RejectReason.OriginNotAllowed, message: `origin ${origin} is not an allowed shop origin` } }, 403, { 'cache-control': 'no-store', vary: 'Origin' })
    }
    return cors({ origin: (o) => (list.includes(o) ? o : null), allowMethods: ['GET', 'POST'], allowHeaders: ['content-type', 'if-none-match'], exposeHeaders: ['etag', 'retry-after', 'x-fedrec-model-version'], credentials: false, maxAge: 600 })(c, next)
  }
}
