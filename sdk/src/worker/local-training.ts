/** Local fine-tuning of the global model on this device's own sessions. */
import { buildExamples, chanceLossRatio, parseModelConfig, SessionModel, type Examples, type TrainOptions } from '../model/index.js'
import type { GlobalModel } from './model-cache.js'
import { itemCategories } from './score-js.js'

/**
 * The devices' local schedule, for every catalogue: 2 epochs of Adam (learning rate 0.01) in
 * batches of 64 prefixes of similar length, each scored against its target and 64 uniform
 * negatives (sampled softmax, row-sparse updates: sdk/src/model/sparse-train.ts; a catalogue of
 * 64 items or fewer gets the full softmax, session-model.ts). Small on purpose: the device holds
 * tens to hundreds of events, and the update must stay close to the global model for federated
 * averaging to converge (McMahan et al. 2017, local epochs E). The federated simulation's
 * clients train with exactly this object (scripts/eval/models/federated.ts), so its held-out
 * curves and docs/RESULTS.md describe what devices send; the client size and learning rate were
 * picked there (docs/results/validation/federated.md).
 *
 * Small catalogues sample too. Their schedule was the full softmax (8 epochs of 32 at 0.02, now
 * {@link PERSONAL_TRAIN_COLD}) until 2026-12-07: in 40 simulated rounds × 128 clients at ε = 8 it
 * reached held-out P@20 / MRR@20 3.70 / 0.78 on Diginetica's 2,000 most clicked items against
 * 25.69 / 18.95 sampled (YooChoose 1/64's 2,000: 14.09 / 3.88 against 34.41 / 14.09), and
 * 64.36 / 30.00 on Diginetica's 200 most clicked against 80.53 / 40.36; 2
 * epochs of 64 at 0.01 over the full softmax reached 6.02 / 1.85 on the 2,000, so the full
 * softmax is the cause, not the length (docs/results/validation/federated.md, "Small
 * catalogues"). A full-softmax gradient moves every row of the table, most of them by what a
 * few dozen sessions say nothing about.
 */
export const LOCAL_TRAIN = { epochs: 2, batchSize: 64, learningRate: 0.01, seed: 1, sampledNegatives: 64, bucketByLength: true } as const satisfies TrainOptions

/**
 * The local schedule: `base` when given (sampling {@link LOCAL_TRAIN}'s negatives when it names
 * none; `sampledNegatives: 0` asks for the full softmax), else {@link LOCAL_TRAIN}.
 * @example localTrainOptions({ epochs: 1, batchSize: 64, learningRate: 0.02, seed: 1 }).sampledNegatives // 64
 */
export function localTrainOptions(base?: TrainOptions): TrainOptions {
  if (base === undefined) return LOCAL_TRAIN
  return base.sampledNegatives === undefined ? { ...base, sampledNegatives: LOCAL_TRAIN.sampledNegatives } : base
}

/**
 * The personal fine-tune's schedule up to {@link PERSONAL_FULL_SOFTMAX_UP_TO} items when the global
 * model already explains the device's history ({@link COLD_LOSS_RATIO}): 2 epochs of Adam at
 * 0.01 in batches of 32 over the full softmax (`sampledNegatives: 0`). Measured on real data with
 * scripts/eval/personal-probe.ts (a global model trained centrally, the session so far as the
 * device's history): on Diginetica's 1,000 most clicked items it keeps the global model's P@20
 * (78.40) and lifts MRR@20 from 31.85 to 34.46, where {@link PERSONAL_TRAIN_COLD} costs 6.5 P@20
 * points (71.91 / 32.76); docs/results/validation/federated.md, "The personal fine-tune on real
 * data".
 */
export const PERSONAL_TRAIN = { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 1, sampledNegatives: 0 } as const satisfies TrainOptions

/**
 * The personal fine-tune's schedule up to {@link PERSONAL_FULL_SOFTMAX_UP_TO} items when the global
 * model explains the device's history no better than chance (a model that has not learned yet,
 * such as the demo store's first rounds from random weights): 8 epochs of Adam at 0.02 in batches
 * of 32 over the full softmax. Chosen on the demo store (test/walking-skeleton.test.ts: each
 * shopper's widget leads with that shopper's own aisle after one round, which
 * {@link PERSONAL_TRAIN} falls short of: 3 of 8 smartphones for the phone fan, where the test
 * asks for 5). The personal model stays on the device and ranks for its shopper only, so it may
 * fit the history far more closely than an update that is averaged with others.
 */
export const PERSONAL_TRAIN_COLD = { epochs: 8, batchSize: 32, learningRate: 0.02, seed: 1, sampledNegatives: 0 } as const satisfies TrainOptions

/**
 * At or above this {@link chanceLossRatio} of the global model on the device's history, the
 * personal fine-tune takes {@link PERSONAL_TRAIN_COLD}: the global model's cross-entropy on the
 * history is within 5 % of a uniform guess's.
 */
export const COLD_LOSS_RATIO = 0.95

/** Above this many items the personal fine-tune trains as an update does ({@link LOCAL_TRAIN}): the full softmax of a large catalogue is too slow for a device. */
export const PERSONAL_FULL_SOFTMAX_UP_TO = 2000

/**
 * The personal fine-tune's schedule for a catalogue of `numItems` items, given the global model's
 * {@link chanceLossRatio} on the device's history (not needed above
 * {@link PERSONAL_FULL_SOFTMAX_UP_TO} items).
 * @example personalTrainOptions(194, 0.4) // PERSONAL_TRAIN
 */
export function personalTrainOptions(numItems: number, lossRatio: number): TrainOptions {
  if (numItems > PERSONAL_FULL_SOFTMAX_UP_TO) return LOCAL_TRAIN
  return lossRatio >= COLD_LOSS_RATIO ? PERSONAL_TRAIN_COLD : PERSONAL_TRAIN
}

function numItemsOf(model: GlobalModel): number {
  return parseModelConfig(model.bundle.description.config).numItems
}

/**
 * Whether a participation's locally trained weights may serve as the personal model: only when
 * the personal fine-tune would train with the same schedule.
 */
export function updateIsPersonal(model: GlobalModel): boolean {
  return numItemsOf(model) > PERSONAL_FULL_SOFTMAX_UP_TO
}

/** Builds a model instance over the given weights (the caller disposes it). */
export function instantiate(model: GlobalModel, weights: Float32Array): SessionModel {
  return new SessionModel(parseModelConfig(model.bundle.description.config), weights, itemCategories(model))
}

/** What a local training returns: the new weights, the examples it trained on and its loss per epoch. */
export interface LocalTraining {
  readonly weights: Float32Array
  readonly examples: number
  readonly losses: number[]
}

/** Runs `fn` on an instance of the global model and the device's examples, then frees the instance. */
async function onGlobal<T>(model: GlobalModel, sessions: readonly number[][], fn: (m: SessionModel, ex: Examples) => Promise<T>): Promise<T> {
  const m = instantiate(model, model.bundle.weights)
  try {
    return await fn(m, buildExamples(sessions, m.cfg.maxLen))
  } finally {
    m.dispose()
  }
}

async function trainOn(m: SessionModel, ex: Examples, opts?: TrainOptions): Promise<LocalTraining> {
  const { epochLosses } = await m.train(ex, localTrainOptions(opts))
  return { weights: await m.getWeights(), examples: ex.count, losses: epochLosses }
}

/**
 * Trains from the global weights on the device's sessions; returns the new weights.
 * @example const { weights } = await trainLocal(global, sessions)
 */
export function trainLocal(model: GlobalModel, sessions: readonly number[][], opts?: TrainOptions): Promise<LocalTraining> {
  return onGlobal(model, sessions, (m, ex) => trainOn(m, ex, opts))
}

/**
 * The personal fine-tune: from the global weights on the device's sessions, with
 * {@link personalTrainOptions}' schedule for how well the global model explains them
 * (`lossRatio`, measured on the same instance before it trains; NaN where it was not needed).
 * The weights stay on the device.
 */
export function fineTunePersonal(model: GlobalModel, sessions: readonly number[][]): Promise<LocalTraining & { lossRatio: number }> {
  return onGlobal(model, sessions, async (m, ex) => {
    const numItems = m.cfg.numItems
    const lossRatio = numItems <= PERSONAL_FULL_SOFTMAX_UP_TO ? await chanceLossRatio(m, ex) : Number.NaN
    return { ...(await trainOn(m, ex, personalTrainOptions(numItems, lossRatio))), lossRatio }
  })
}
