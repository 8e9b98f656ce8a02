import { describe, expect, it } from 'vitest'
import { configFromDataset, resolveBases } from './config.js'

describe('config', () => {
  it('reads data-* attributes', () => {
    expect(configFromDataset({ api: '/x/', autoParticipate: 'false', backends: 'webgl, cpu, nope', retentionDays: '30', maxEvents: '100.7' })).toEqual({ apiBase: '/x/', autoParticipate: false, backends: ['webgl', 'cpu'], retentionDays: 30, maxEvents: 100 })
  })
  it('ignores bad numbers', () => {
    expect(configFromDataset({ retentionDays: 'soon', maxEvents: '-1' })).toEqual({})
  })
  it('puts SDK and API under a first-party path', () => {
    expect(resolveBases({ path: '/_fr' })).toMatchObject({ apiBase: '/_fr/', assetBase: '/_fr/sdk/' })
    expect(resolveBases({ path: '/_fr/', apiBase: '/api/' })).toMatchObject({ apiBase: '/api/', assetBase: '/_fr/sdk/' })
  })
})
