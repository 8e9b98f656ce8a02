import { describe, expect, it } from 'vitest'
import { roundUpdateEncodingFor, WIRE_DEFAULTS } from '../../aggregator/src/index.js'
import { roundSettings, type Env } from './env.js'

const env = (vars: Partial<Record<keyof Env, string>>): Env => vars as unknown as Env

describe('wire encodings of the round settings', () => {
  it('default to WIRE_DEFAULTS: int8-row model, and updates left to the model (int8 unless over budget)', () => {
    expect(roundSettings(env({}))).toMatchObject({ updateEncoding: null, modelEncoding: WIRE_DEFAULTS.modelEncoding })
    expect(WIRE_DEFAULTS).toEqual({ updateEncoding: 'int8', modelEncoding: 'int8-rows' })
    expect(roundUpdateEncodingFor(null, [[195, 32], [25, 32]])).toBe('int8')
    expect(roundUpdateEncodingFor(null, [[7501, 32], [1, 32]])).toBe('int4')
    expect(roundUpdateEncodingFor('float32', [[7501, 32], [1, 32]])).toBe('float32')
  })

  it('take FEDREC_UPDATE_ENCODING and FEDREC_MODEL_ENCODING, and refuse anything else by name', () => {
    expect(roundSettings(env({ FEDREC_UPDATE_ENCODING: 'int4', FEDREC_MODEL_ENCODING: 'float32' }))).toMatchObject({ updateEncoding: 'int4', modelEncoding: 'float32' })
    expect(() => roundSettings(env({ FEDREC_UPDATE_ENCODING: 'int2' }))).toThrow('FEDREC_UPDATE_ENCODING=int2 must be one of float32, int8, int4')
    expect(() => roundSettings(env({ FEDREC_MODEL_ENCODING: 'float16' }))).toThrow('FEDREC_MODEL_ENCODING=float16 must be one of float32, int8-rows')
  })

  it('announce float32 under secure aggregation, and refuse a quantised encoding with it', () => {
    const secure = { FEDREC_SECURE_AGGREGATION: 'on', FEDREC_EXPECTED_CLIENTS: '5', FEDREC_MIN_CLIENTS: '5' }
    expect(roundSettings(env(secure)).updateEncoding).toBe('float32')
    expect(() => roundSettings(env({ ...secure, FEDREC_UPDATE_ENCODING: 'int8' }))).toThrow(/cannot be combined with FEDREC_SECURE_AGGREGATION=on/)
  })
})

describe('server optimizer settings', () => {
  it('default to FedAvg with η = 1; fedavgm takes β from FEDREC_SERVER_MOMENTUM (default 0.9)', () => {
    expect(roundSettings(env({})).serverStep).toMatchObject({ optimizer: 'fedavg', serverLearningRate: 1 })
    expect(roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm' })).serverStep).toMatchObject({ optimizer: 'fedavgm', momentum: 0.9, serverLearningRate: 1 })
    expect(roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm', FEDREC_SERVER_MOMENTUM: '0.5' })).serverStep).toMatchObject({ momentum: 0.5 })
  })

  it('refuse an unknown optimizer and a momentum outside [0, 1), by name', () => {
    expect(() => roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'sgd' }))).toThrow('FEDREC_SERVER_OPTIMIZER=sgd must be fedavg, fedavgm or fedadam')
    expect(() => roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm', FEDREC_SERVER_MOMENTUM: '1' }))).toThrow(/FEDREC_SERVER_MOMENTUM/)
  })
})
