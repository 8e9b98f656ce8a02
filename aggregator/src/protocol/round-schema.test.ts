import { describe, expect, it } from 'vitest'
import { parseRoundConfig } from './round-schema.js'

const good = { roundId: 4, modelVersion: 2, clipNorm: 1, noiseMultiplier: 0.5, noiseMode: 'local', minClients: 2, expectedClients: 3, serverLearningRate: 1, sampleRate: 0.5, deadline: 1_700_000_000_000 }

describe('round announcement schema', () => {
  it('accepts a well-formed round and keeps fields a newer server adds', () => {
    expect(parseRoundConfig({ ...good, extra: 1 })).toEqual({ ok: true, round: { ...good, extra: 1 } })
  })

  it('refuses rounds that would weaken the privacy of an update, naming the field', () => {
    expect(parseRoundConfig({ ...good, noiseMultiplier: -1 })).toMatchObject({ ok: false, error: expect.stringMatching(/^noiseMultiplier: /) })
    expect(parseRoundConfig({ ...good, clipNorm: undefined })).toMatchObject({ ok: false, error: expect.stringMatching(/^clipNorm: /) })
    expect(parseRoundConfig({ ...good, noiseMode: 'none' })).toMatchObject({ ok: false })
    expect(parseRoundConfig({ ...good, sampleRate: 2 })).toMatchObject({ ok: false })
    expect(parseRoundConfig({ ...good, expectedClients: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('expectedClients') })
    expect(parseRoundConfig('round')).toMatchObject({ ok: false })
  })
})
