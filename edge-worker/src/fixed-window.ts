/**
 * Fixed-window request counters, the state each RateLimiter Durable Object keeps in memory.
 * A window is [k·w, (k+1)·w); a burst may reach twice the limit across a window boundary, the
 * usual trade of fixed windows for O(1) state per bucket.
 */

export interface HitResult {
  readonly allowed: boolean
  /** Requests left in this window after this one. */
  readonly remaining: number
  /** Whole seconds until the window resets (≥ 1), for Retry-After. */
  readonly retryAfterSeconds: number
}

/**
 * @example
 * const c = new FixedWindowCounters()
 * c.hit('upload', 30, 60_000, Date.now()) // { allowed: true, remaining: 29, ... }
 */
export class FixedWindowCounters {
  private readonly windows = new Map<string, { start: number; count: number }>()

  hit(bucket: string, limit: number, windowMs: number, now: number): HitResult {
    const start = Math.floor(now / windowMs) * windowMs
    let w = this.windows.get(bucket)
    if (!w || w.start !== start) {
      w = { start, count: 0 }
      this.windows.set(bucket, w)
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((start + windowMs - now) / 1000))
    if (w.count >= limit) return { allowed: false, remaining: 0, retryAfterSeconds }
    w.count++
    return { allowed: true, remaining: limit - w.count, retryAfterSeconds }
  }

  /**
   * Counts one request against each `[bucket, limit]` in order, stopping at the first that
   * refuses it (later buckets are then not counted); returns that refusal with its bucket, or
   * the last bucket's result when all allow it.
   * @example c.hitEach([['all', 600], ['upload', 30]], 60_000, Date.now()) // { bucket: 'upload', allowed: true, ... }
   */
  hitEach(limits: readonly (readonly [bucket: string, limit: number])[], windowMs: number, now: number): HitResult & { readonly bucket: string } {
    let last: HitResult & { bucket: string } = { bucket: '', allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 1 }
    for (const [bucket, limit] of limits) {
      last = { bucket, ...this.hit(bucket, limit, windowMs, now) }
      if (!last.allowed) break
    }
    return last
  }
}
