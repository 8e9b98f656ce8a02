/**
 * Rate limiting per origin and connection: one RateLimiter Durable Object per client key holds
 * that key's counters (single-threaded, so counts are exact under concurrent requests), and a
 * middleware asks it before any /v1 route runs. Over the limit: 429 JSON with a reason and
 * Retry-After.
 */
import { DurableObject } from 'cloudflare:workers'
import type { MiddlewareHandler } from 'hono'
import { RejectReason } from '../../aggregator/src/index.js'
import { FixedWindowCounters, type HitResult } from './fixed-window.js'
import type { GuardSettings } from './guard-settings.js'

/** Counters of one client key. In memory: a restart forgets them, which only ever lets more through. */
export class RateLimiter extends DurableObject {
  private readonly counters = new FixedWindowCounters()

  /** One round trip for all of a request's buckets (see `FixedWindowCounters.hitEach`). */
  async hitEach(limits: [bucket: string, limit: number][], windowMs: number): Promise<HitResult & { readonly bucket: string }> {
    return this.counters.hitEach(limits, windowMs, Date.now())
  }
}

/**
 * Who is asking: the page's origin (or same-origin) and the connecting address. Shoppers behind
 * one NAT share a key, so limits are set for a shop's busiest address, not one shopper.
 */
export function clientKey(req: Request): string {
  const origin = req.headers.get('origin') ?? 'same-origin'
  const address = req.headers.get('cf-connecting-ip') ?? req.headers.get('x-real-ip') ?? 'unknown'
  return `${origin}|${address}`
}

export interface RateLimitBindings {
  readonly RATE_LIMITER: DurableObjectNamespace<RateLimiter>
}

/**
 * @example app.use('/v1/*', rateLimit((env) => guardSettings(env)))
 */
export function rateLimit<E extends RateLimitBindings>(settings: (env: E) => GuardSettings): MiddlewareHandler<{ Bindings: E }> {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || c.req.path === '/v1/health') return next()
    const s = settings(c.env)
    // Uploads are the model-sized bodies: updates and secure aggregation's masked inputs. The
    // protocol's small JSON messages and polls count only towards the overall limit.
    const upload = c.req.method === 'POST' && (c.req.path === '/v1/updates' || c.req.path.endsWith('/masked'))
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(clientKey(c.req.raw)))
    const windowMs = s.rateWindowSeconds * 1000
    const limits: [string, number][] = upload ? [['all', s.rateLimit], ['upload', s.uploadRateLimit]] : [['all', s.rateLimit]]
    const r = await stub.hitEach(limits, windowMs)
    if (!r.allowed) {
      const limit = limits.find(([b]) => b === r.bucket)?.[1]
      return c.json(
        { error: { reason: RejectReason.RateLimited, message: `more than ${limit} ${r.bucket === 'upload' ? 'uploads' : 'requests'} per ${s.rateWindowSeconds} s from this origin and connection; retry after ${r.retryAfterSeconds} s` } },
        429,
        { 'retry-after': String(r.retryAfterSeconds), 'cache-control': 'no-store' },
      )
    }
    return next()
  }
}
