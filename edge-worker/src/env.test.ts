import { describe, expect, it } from 'vitest'
import { FEDAVG_SERVER_LR, modelEncodingFor, roundUpdateEncodingFor, ROW_SCALE_DEFAULTS, WIRE_DEFAULTS } from '../../aggregator/src/index.js'
import { roundSettings, type Env } from './env.js'

const env = (vars: Partial<Record<keyof Env, string>>): Env => vars as unknown as Env

describe('wire encodings of the round settings', () => {
  it('leave both to the model by default: int8 updates unless over budget, int8-row models unless over 1M parameters', () => {
    expect(roundSettings(env({}))).toMatchObject({ updateEncoding: null, modelEncoding: null })
    expect(modelEncodingFor([{ name: 'item_emb', shape: [195, 32] }])).toBe('int8-rows')
    expect(modelEncodingFor([{ name: 'item_emb', shape: [43098, 32] }])).toBe('int4-rows')
    expect(WIRE_DEFAULTS).toEqual({ updateEncoding: 'int8', modelEncoding: 'int8-rows' })
    expect(roundUpdateEncodingFor(null, [[195, 32], [25, 32]])).toBe('int8')
    expect(roundUpdateEncodingFor(null, [[7501, 32], [1, 32]])).toBe('int4')
    expect(roundUpdateEncodingFor('float32', [[7501, 32], [1, 32]])).toBe('float32')
  })

  it('take FEDREC_UPDATE_ENCODING and FEDREC_MODEL_ENCODING, and refuse anything else by name', () => {
    expect(roundSettings(env({ FEDREC_UPDATE_ENCODING: 'int4', FEDREC_MODEL_ENCODING: 'float32' }))).toMatchObject({ updateEncoding: 'int4', modelEncoding: 'float32' })
    expect(() => roundSettings(env({ FEDREC_UPDATE_ENCODING: 'int2' }))).toThrow('FEDREC_UPDATE_ENCODING=int2 must be one of float32, int8, int4')
    expect(() => roundSettings(env({ FEDREC_MODEL_ENCODING: 'float16' }))).toThrow('FEDREC_MODEL_ENCODING=float16 must be one of float32, int8-rows, int4-rows')
  })

  it('announce float32 under secure aggregation, and refuse a quantised encoding with it', () => {
    const secure = { FEDREC_SECURE_AGGREGATION: 'on', FEDREC_EXPECTED_CLIENTS: '5', FEDREC_MIN_CLIENTS: '5' }
    expect(roundSettings(env(secure)).updateEncoding).toBe('float32')
    expect(() => roundSettings(env({ ...secure, FEDREC_UPDATE_ENCODING: 'int8' }))).toThrow(/cannot be combined with FEDREC_SECURE_AGGREGATION=on/)
  })
})

describe('row subsets and the upload budget', () => {
  it('default to row subsets sized to 128 KiB, half of them hot rows', () => {
    expect(roundSettings(env({}))).toMatchObject({ rowSubset: { hotShare: 0.5 }, uploadBudgetBytes: 128 * 1024 })
    expect(roundSettings(env({ FEDREC_ROW_SUBSET: 'off' })).rowSubset).toBeNull()
    expect(roundSettings(env({ FEDREC_ROW_SUBSET_HOT_SHARE: '0.25', FEDREC_UPLOAD_BUDGET_BYTES: '4096' }))).toMatchObject({ rowSubset: { hotShare: 0.25 }, uploadBudgetBytes: 4096 })
  })

  it('refuse anything else by name', () => {
    expect(() => roundSettings(env({ FEDREC_ROW_SUBSET: 'on' }))).toThrow('FEDREC_ROW_SUBSET=on must be one of auto, off')
    expect(() => roundSettings(env({ FEDREC_ROW_SUBSET_HOT_SHARE: '1.5' }))).toThrow(/FEDREC_ROW_SUBSET_HOT_SHARE=1.5/)
    expect(() => roundSettings(env({ FEDREC_UPLOAD_BUDGET_BYTES: '12.5' }))).toThrow(/FEDREC_UPLOAD_BUDGET_BYTES=12.5/)
  })
})

describe('row scales (FedSubAvg)', () => {
  it('default to the aggregator’s, and take FEDREC_ROW_SCALE, its click and negative estimates, or off', () => {
    expect(roundSettings(env({})).rowScale).toEqual({ ...ROW_SCALE_DEFAULTS })
    expect(roundSettings(env({ FEDREC_ROW_SCALE: '16', FEDREC_ROW_SCALE_CLICKS: '40', FEDREC_ROW_SCALE_NEGATIVES: '512' })).rowScale).toEqual({
      maxScale: 16,
      clicksPerClient: 40,
      negativeDraws: 512,
      noiseTolerance: ROW_SCALE_DEFAULTS.noiseTolerance,
    })
    expect(roundSettings(env({ FEDREC_ROW_SCALE: 'off' })).rowScale).toBeNull()
    expect(roundSettings(env({ FEDREC_ROW_SCALE: '1' })).rowScale).toBeNull()
  })

  it('refuse a scale below 1 and estimates that cannot be counts, by name', () => {
    expect(() => roundSettings(env({ FEDREC_ROW_SCALE: '0.5' }))).toThrow('FEDREC_ROW_SCALE=0.5 is not valid')
    expect(() => roundSettings(env({ FEDREC_ROW_SCALE: 'on' }))).toThrow('FEDREC_ROW_SCALE=on is not valid')
    expect(() => roundSettings(env({ FEDREC_ROW_SCALE_CLICKS: '0' }))).toThrow('FEDREC_ROW_SCALE_CLICKS=0 is not valid')
    expect(() => roundSettings(env({ FEDREC_ROW_SCALE_NEGATIVES: '-1' }))).toThrow('FEDREC_ROW_SCALE_NEGATIVES=-1 is not valid')
  })
})

describe('server optimizer settings', () => {
  it('default to FedAvg with η = 4; fedavgm takes β from FEDREC_SERVER_MOMENTUM (default 0.9)', () => {
    expect(roundSettings(env({})).serverStep).toMatchObject({ optimizer: 'fedavg', serverLearningRate: FEDAVG_SERVER_LR })
    expect(FEDAVG_SERVER_LR).toBe(4)
    expect(roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm' })).serverStep).toMatchObject({ optimizer: 'fedavgm', momentum: 0.9, serverLearningRate: 1 })
    expect(roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm', FEDREC_SERVER_MOMENTUM: '0.5' })).serverStep).toMatchObject({ momentum: 0.5 })
  })

  it('decay η over FEDREC_SERVER_LR_DECAY_ROUNDS to FEDREC_SERVER_LR_END (default 0.1) when set', () => {
    expect(roundSettings(env({})).serverLrSchedule).toBeNull()
    expect(roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: 'off' })).serverLrSchedule).toBeNull()
    expect(roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '40' })).serverLrSchedule).toEqual({ rounds: 40, end: 0.1 })
    expect(roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '40', FEDREC_SERVER_LR_END: '0.25' })).serverLrSchedule).toEqual({ rounds: 40, end: 0.25 })
  })

  it('refuse a decay that cannot be, and an end without a decay, by name', () => {
    expect(() => roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '1' }))).toThrow('FEDREC_SERVER_LR_DECAY_ROUNDS=1 is not valid')
    expect(() => roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '2.5' }))).toThrow('FEDREC_SERVER_LR_DECAY_ROUNDS=2.5 is not valid')
    expect(() => roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '40', FEDREC_SERVER_LR_END: '2' }))).toThrow('FEDREC_SERVER_LR_END=2 is not valid')
    expect(() => roundSettings(env({ FEDREC_SERVER_LR_DECAY_ROUNDS: '40', FEDREC_SERVER_LR_END: '0' }))).toThrow('FEDREC_SERVER_LR_END=0 is not valid')
    expect(() => roundSettings(env({ FEDREC_SERVER_LR_END: '0.5' }))).toThrow('FEDREC_SERVER_LR_END=0.5 needs FEDREC_SERVER_LR_DECAY_ROUNDS')
  })

  it('refuse an unknown optimizer and a momentum outside [0, 1), by name', () => {
    expect(() => roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'sgd' }))).toThrow('FEDREC_SERVER_OPTIMIZER=sgd must be fedavg, fedavgm or fedadam')
    expect(() => roundSettings(env({ FEDREC_SERVER_OPTIMIZER: 'fedavgm', FEDREC_SERVER_MOMENTUM: '1' }))).toThrow(/FEDREC_SERVER_MOMENTUM/)
  })
})
