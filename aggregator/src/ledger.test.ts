import { describe, expect, it } from 'vitest'
import { computeEpsilonForSteps } from './accountant/index.js'
import { modelPrivacy } from './ledger.js'

describe('modelPrivacy', () => {
  it('composes the published rounds with their own (q, z) and skips abandoned ones', () => {
    const rounds = [
      { outcome: 'published' as const, sampleRate: 0.1, noiseMultiplier: 1.1 },
      { outcome: 'abandoned' as const, sampleRate: 1, noiseMultiplier: 0.1 },
      { outcome: 'published' as const, sampleRate: 0.2, noiseMultiplier: 0.9 },
    ]
    const want = computeEpsilonForSteps([{ q: 0.1, noiseMultiplier: 1.1 }, { q: 0.2, noiseMultiplier: 0.9 }], 1e-6).epsilon
    expect(modelPrivacy(rounds, 1e-6)).toEqual({ epsilon: want, delta: 1e-6, rounds: 2 })
    expect(modelPrivacy([], 1e-6)).toEqual({ epsilon: 0, delta: 1e-6, rounds: 0 })
  })

  it('reports null, not Infinity (which JSON cannot carry), for a round without noise', () => {
    expect(modelPrivacy([{ outcome: 'published', sampleRate: 1, noiseMultiplier: 0 }], 1e-6).epsilon).toBeNull()
  })
})
