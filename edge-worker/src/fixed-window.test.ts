import { describe, expect, it } from 'vitest'
import { FixedWindowCounters } from './fixed-window.js'

describe('fixed-window counters', () => {
  it('allows `limit` hits per window and bucket, then refuses until the window ends', () => {
    const c = new FixedWindowCounters()
    const t = 1_000_000
    expect(c.hit('a', 2, 60_000, t)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 20 })
    expect(c.hit('a', 2, 60_000, t + 1)).toMatchObject({ allowed: true, remaining: 0 })
    expect(c.hit('a', 2, 60_000, t + 2)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 20 })
    expect(c.hit('b', 2, 60_000, t + 3), 'buckets are independent').toMatchObject({ allowed: true })
    expect(c.hit('a', 2, 60_000, 1_020_000), 'a new window starts afresh').toMatchObject({ allowed: true, remaining: 1 })
  })

  it('never answers a Retry-After below one second', () => {
    const c = new FixedWindowCounters()
    c.hit('a', 1, 1000, 999)
    expect(c.hit('a', 1, 1000, 999.9)).toMatchObject({ allowed: false, retryAfterSeconds: 1 })
  })

  it('counts a request against each bucket in order and stops at the first refusal', () => {
    const c = new FixedWindowCounters()
    const limits = [['all', 3], ['upload', 1]] as const
    expect(c.hitEach(limits, 60_000, 0)).toMatchObject({ bucket: 'upload', allowed: true, remaining: 0 })
    expect(c.hitEach(limits, 60_000, 1)).toMatchObject({ bucket: 'upload', allowed: false })
    expect(c.hit('all', 3, 60_000, 2), 'both attempts counted towards all').toMatchObject({ allowed: true, remaining: 0 })
    expect(c.hitEach(limits, 60_000, 3)).toMatchObject({ bucket: 'all', allowed: false })
    expect(c.hit('upload', 2, 60_000, 4), 'a refusal by all leaves upload uncounted').toMatchObject({ allowed: true, remaining: 0 })
  })
})
