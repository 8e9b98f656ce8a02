import { describe, expect, it } from 'vitest'
import { attributedToSdk } from './long-task-attribution.js'

describe('attributedToSdk', () => {
  it('blames the SDK for a long frame it made long or dominated', () => {
    expect(attributedToSdk({ duration: 120, sdkMs: 80, otherMs: 5 })).toBe(true)
    expect(attributedToSdk({ duration: 70, sdkMs: 25, otherMs: 30 })).toBe(true) // 45 ms without it
    expect(attributedToSdk({ duration: 200, sdkMs: 101, otherMs: 99 })).toBe(true)
  })

  it('leaves the page its own long frames and short frames to nobody', () => {
    expect(attributedToSdk({ duration: 140, sdkMs: 11, otherMs: 0 })).toBe(false)
    expect(attributedToSdk({ duration: 200, sdkMs: 40, otherMs: 120 })).toBe(false)
    expect(attributedToSdk({ duration: 45, sdkMs: 45, otherMs: 0 })).toBe(false)
    expect(attributedToSdk({ duration: 300, sdkMs: 0, otherMs: 0 })).toBe(false)
  })
})
