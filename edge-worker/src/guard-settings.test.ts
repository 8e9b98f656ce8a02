import { describe, expect, it } from 'vitest'
import { guardSettings } from './guard-settings.js'

describe('guard settings', () => {
  it('has safe defaults when nothing is set', () => {
    expect(guardSettings({})).toEqual({ maxModelLag: 0, rateLimit: 600, uploadRateLimit: 30, rateWindowSeconds: 60, allowedOrigins: [], robust: 'none', trimFraction: 0.1 })
  })

  it('parses the variables', () => {
    const s = guardSettings({ FEDREC_MAX_MODEL_LAG: '2', FEDREC_ALLOWED_ORIGINS: 'https://a.example, http://127.0.0.1:8080', FEDREC_ROBUST_AGGREGATION: 'median', FEDREC_RATE_LIMIT: '' })
    expect(s).toMatchObject({ maxModelLag: 2, allowedOrigins: ['https://a.example', 'http://127.0.0.1:8080'], robust: 'median', rateLimit: 600 })
  })

  it('stops on a bad value, naming the variable', () => {
    expect(() => guardSettings({ FEDREC_MAX_MODEL_LAG: '-1' })).toThrow(/FEDREC_MAX_MODEL_LAG/)
    expect(() => guardSettings({ FEDREC_RATE_LIMIT: 'lots' })).toThrow(/FEDREC_RATE_LIMIT/)
    expect(() => guardSettings({ FEDREC_ALLOWED_ORIGINS: 'https://a.example/shop' })).toThrow(/FEDREC_ALLOWED_ORIGINS/)
    expect(() => guardSettings({ FEDREC_ROBUST_AGGREGATION: 'mean' })).toThrow(/FEDREC_ROBUST_AGGREGATION/)
    expect(() => guardSettings({ FEDREC_TRIM_FRACTION: '0.5' })).toThrow(/FEDREC_TRIM_FRACTION/)
  })

  it('refuses robust aggregation with distributed noise', () => {
    expect(() => guardSettings({ FEDREC_ROBUST_AGGREGATION: 'trimmed-mean', FEDREC_NOISE_MODE: 'distributed' })).toThrow(/needs FEDREC_NOISE_MODE=local/)
  })
})
