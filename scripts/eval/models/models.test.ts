/** The neural models end to end on the tiny fixture: they train, score and report what they must. */

import { layoutSize, UPDATE_HEADER_BYTES_BY_VERSION } from '../../../aggregator/src/index.js'
import { modelLayout, type SessionModelConfig } from '../../../sdk/src/model/index.js'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadDataset } from '../data.js'
import { evaluateCases } from '../evaluate.js'
import { ParamError } from '../params.js'
import { createModel } from '../registry.js'
import { MARGIN_CALIBRATION, withRepeatMargin } from './fedrec-central.js'
import { FED_DEFAULTS } from './federated.js'
import { LOCAL_TRAIN } from '../../../sdk/src/worker/local-training.js'
import { fitOptions } from '../testing.js'
import './register.js'

/** Weights of the 8-wide session model over the fixture's 24 items. */
const FEDREC_PARAMS = 25 * 8 + 8 + 10 * 8 + 2 * 64 + 8 + 16 * 8
/** Weights of a session model config. */
const FEDREC_PARAMS_OF = (cfg: SessionModelConfig): number => layoutSize(modelLayout(cfg))
const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tiny')

describe('neural models on the tiny fixture', () => {
  it('fedrec-central and gru learn the aisles', async () => {
    const ds = await loadDataset(fixture)
    for (const name of ['fedrec-central', 'gru']) {
      const m = createModel(name)
      const info = await m.fit(ds.train, fitOptions({ dim: '8', epochs: '4', negatives: '8', batch: '32', lr: '0.05' }))
      // gru: its float32 weights; fedrec-central: the gzipped int8-row bundle a device downloads
      // (weights, layout, config and the 24 item ids), under what its float32 weights would take.
      if (name === 'gru') expect(info.modelBytes).toBe(4 * (25 * 8 + 2 * 8 * 24 + 24))
      else {
        expect(info.modelBytes).toBeGreaterThan(FEDREC_PARAMS / 2)
        expect(info.modelBytes).toBeLessThan(4 * FEDREC_PARAMS)
      }
      const metrics = await evaluateCases(m, ds.test, ds.train)
      expect(metrics.p20).toBeGreaterThan(60) // 24 items: a random ranking scores ~ 20/24 of the seen targets
      expect(metrics.mrr20).toBeGreaterThan(15)
    }
  }, 20_000)

  it('fedrec-central with repeat scores picks a repeat margin on the most recent sessions and publishes it', async () => {
    const ds = await loadDataset(fixture)
    const m = createModel('fedrec-central')
    const info = await m.fit(ds.train, fitOptions({ dim: '8', epochs: '3', negatives: '8', batch: '32', lr: '0.05', scale: '5', repeat: '1', margin_share: '0.2' }))
    expect(info.params?.margin_share).toBe(0.2)
    expect(MARGIN_CALIBRATION.margins).toContain(info.params?.repeat_margin)
    expect((await evaluateCases(m, ds.test, ds.train)).p20).toBeGreaterThan(60)
    // Without repeat scores there is nothing to calibrate.
    await expect(createModel('fedrec-central').fit(ds.train, fitOptions({ dim: '8', epochs: '1', margin_share: '0.2' }))).rejects.toThrow(ParamError)
  }, 20_000)

  it('adds a repeat margin to the repeat weights only', () => {
    const cfg = { numItems: 3, dim: 2, maxLen: 2, numCategories: 0, repeat: true }
    const w = new Float32Array(FEDREC_PARAMS_OF(cfg)).fill(1)
    const out = withRepeatMargin(cfg, w, 0.5)
    expect(Array.from(out.subarray(out.length - 2))).toEqual([1.5, 1.5])
    expect(out.subarray(0, out.length - 2).every((x) => x === 1)).toBe(true)
    expect(w[w.length - 1]).toBe(1)
    expect(Array.from(withRepeatMargin({ ...cfg, repeat: false }, w, 0.5))).toEqual(Array.from(w))
  })

  it('fedrec-dp-eps8 reports rounds, upload bytes and the (ε, δ) it reached', async () => {
    const ds = await loadDataset(fixture)
    const m = createModel('fedrec-dp-eps8')
    const info = await m.fit(ds.train, fitOptions({ dim: '8', rounds: '3', cohort: '4', clients_k: '8', negatives: '8' }))
    expect(info.rounds).toBe(3)
    expect(info.delta).toBe(1e-6)
    expect(info.epsilon).toBeLessThanOrEqual(8)
    expect(info.epsilon).toBeGreaterThan(7)
    // what the edge announces for a model this small, int8 (format 3): header + shape table
    // (7 tensors, rank 2: 3 words each) + one float32 scale per 256 values + a byte a value
    expect(info.uploadBytes).toBe(UPDATE_HEADER_BYTES_BY_VERSION[3] + 4 * 21 + 4 * Math.ceil(FEDREC_PARAMS / 256) + FEDREC_PARAMS)
    expect(info.history?.at(-1)?.round).toBe(3)
    expect(info.params?.server_lr_end, 'DP runs keep a constant η').toBe(1)
  }, 20_000)

  it('fedrec-federated decays η to FED_DEFAULTS.serverLrEnd by default, and refuses an end of 0', async () => {
    const ds = await loadDataset(fixture)
    const small = { dim: '8', rounds: '2', cohort: '4', clients_k: '8', negatives: '8' }
    const info = await createModel('fedrec-federated').fit(ds.train, fitOptions(small))
    expect(info.params?.server_lr_end).toBe(FED_DEFAULTS.serverLrEnd)
    expect(FED_DEFAULTS.serverLrEnd).toBeLessThan(1)
    await expect(createModel('fedrec-federated').fit(ds.train, fitOptions({ ...small, server_lr_end: '0' }))).rejects.toThrow(ParamError)
  }, 20_000)

  it('fedrec-federated trains its clients as the devices do (LOCAL_TRAIN), or as told', async () => {
    const ds = await loadDataset(fixture)
    const info = await createModel('fedrec-federated').fit(ds.train, fitOptions({ dim: '8', rounds: '2', cohort: '4', clients_k: '8' }))
    expect(info.params).toMatchObject({ local_epochs: LOCAL_TRAIN.epochs, local_lr: LOCAL_TRAIN.learningRate, local_batch: LOCAL_TRAIN.batchSize, negatives: LOCAL_TRAIN.sampledNegatives })
    const full = await createModel('fedrec-federated').fit(ds.train, fitOptions({ dim: '8', rounds: '2', cohort: '4', clients_k: '8', negatives: '0', local_epochs: '3' }))
    expect(full.params).toMatchObject({ local_epochs: 3, negatives: 0 })
  }, 20_000)

  it('fedrec-dp-eps8 with algorithm=fedsgd: one-session clients, their clipped gradients stepped by FedAdam, and it learns', async () => {
    const ds = await loadDataset(fixture)
    const m = createModel('fedrec-dp-eps8')
    const opts = { algorithm: 'fedsgd', dim: '8', scale: '10', repeat: '1', rounds: '30', cohort: '64', negatives: '8', server_lr: '0.05' }
    const info = await m.fit(ds.train, fitOptions(opts))
    expect(info.params).toMatchObject({ algorithm: 'fedsgd', sessions_per_client: 1, server_opt: 'fedadam', server_tau: 0.001, row_scale: 1 })
    expect(info.params).not.toHaveProperty('local_epochs')
    expect(info.epsilon).toBeLessThanOrEqual(8)
    expect(info.epsilon).toBeGreaterThan(7)
    // 24 items: the untrained model ranks the seen targets at about 20 / 24 and MRR@20 near 15.
    expect((await evaluateCases(m, ds.test, ds.train)).mrr20).toBeGreaterThan(40)
    // What does not apply is refused, not ignored.
    await expect(createModel('fedrec-dp-eps8').fit(ds.train, fitOptions({ ...opts, local_lr: '0.1' }))).rejects.toThrow(/takes no local_lr/)
    await expect(createModel('fedrec-dp-eps8').fit(ds.train, fitOptions({ ...opts, clients_k: '4' }))).rejects.toThrow(/clients of one session/)
    await expect(createModel('fedrec-dp-eps8').fit(ds.train, fitOptions({ ...opts, repeat: '0' }))).rejects.toThrow(/cosine logits and repeat scores/)
  }, 30_000)
})
