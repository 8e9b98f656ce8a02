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

describe('secure aggregation in the round announcement', () => {
  const secure = { cohortSize: 10, minSurvivors: 7, stepSeconds: 60, joinSeconds: 120 }
  it('accepts cohort settings and refuses a minimum that would reveal an input', () => {
    expect(parseRoundConfig({ ...good, secureAggregation: secure })).toMatchObject({ ok: true, round: { secureAggregation: secure } })
    expect(parseRoundConfig({ ...good, secureAggregation: null })).toMatchObject({ ok: true })
    expect(parseRoundConfig({ ...good, secureAggregation: { ...secure, minSurvivors: 1 } })).toMatchObject({ ok: false, error: expect.stringContaining('secureAggregation') })
    expect(parseRoundConfig({ ...good, secureAggregation: { ...secure, minSurvivors: 11 } })).toMatchObject({ ok: false })
  })
})

describe('update encoding in the round announcement', () => {
  it('accepts float32, int8 and int4 (absent: float32), refuses anything else and quantised secure rounds', () => {
    for (const e of ['float32', 'int8', 'int4']) expect(parseRoundConfig({ ...good, updateEncoding: e })).toMatchObject({ ok: true, round: { updateEncoding: e } })
    expect(parseRoundConfig({ ...good, updateEncoding: 'int2' })).toMatchObject({ ok: false, error: expect.stringMatching(/^updateEncoding: /) })
    const secure = { cohortSize: 10, minSurvivors: 7, stepSeconds: 60, joinSeconds: 120 }
    expect(parseRoundConfig({ ...good, secureAggregation: secure, updateEncoding: 'float32' })).toMatchObject({ ok: true })
    expect(parseRoundConfig({ ...good, secureAggregation: secure, updateEncoding: 'int8' })).toMatchObject({ ok: false, error: expect.stringContaining('updateEncoding must be float32 under secure aggregation') })
  })
})

describe('row subsets in the round announcement', () => {
  const rowSubset = { tensor: 'item_emb', hotRows: 100, windowStart: 40, windowRows: 100 }
  it('accepts a subset of whole rows and refuses fractional or negative ones, naming the field', () => {
    expect(parseRoundConfig({ ...good, rowSubset })).toMatchObject({ ok: true, round: { rowSubset } })
    expect(parseRoundConfig({ ...good, rowSubset: null })).toMatchObject({ ok: true })
    expect(parseRoundConfig({ ...good, rowSubset: { ...rowSubset, hotRows: -1 } })).toMatchObject({ ok: false, error: expect.stringMatching(/^rowSubset\.hotRows: /) })
    expect(parseRoundConfig({ ...good, rowSubset: { ...rowSubset, windowRows: 1.5 } })).toMatchObject({ ok: false, error: expect.stringMatching(/^rowSubset\.windowRows: /) })
    expect(parseRoundConfig({ ...good, rowSubset: { ...rowSubset, tensor: '' } })).toMatchObject({ ok: false })
  })
})
