/** Local fine-tuning of the global model on this device's own sessions. */
import { buildExamples, parseModelConfig, SessionModel, type TrainOptions } from '../model/index.js'
import type { GlobalModel } from './model-cache.js'
import { itemCategories } from './score-js.js'

/**
 * Local training schedule of a small shop (full softmax): a few passes of Adam over the device's
 * own examples. Small on purpose: the device holds tens to hundreds of events, and the update
 * must stay close to the global model for federated averaging to converge (McMahan et al. 2017,
 * local epochs E).
 */
export const LOCAL_TRAIN: TrainOptions = { epochs: 8, batchSize: 32, learningRate: 0.02, seed: 1 }

/**
 * Above this many items a device trains with sampled softmax ({@link SAMPLED_LOCAL_TRAIN},
 * row-sparse updates: sdk/src/model/sparse-train.ts) instead of scoring the whole catalogue at
 * every step: the full softmax of a 43k-item catalogue is 43k dot products per example, and its
 * gradient a dense update of the whole table at every step.
 */
export const FULL_SOFTMAX_UP_TO = 2000

/**
 * Local training schedule of a large catalogue: 2 epochs of Adam (learning rate 0.01) in batches
 * of 64 prefixes of similar length, 64 uniform negatives a step. The federated simulation's
 * clients train with exactly this object (`localTrainOptions` in scripts/eval/models/federated.ts),
 * so its held-out curves and docs/RESULTS.md describe what devices send; the client size and
 * learning rate were picked there (docs/results/validation/federated.md).
 */
export const SAMPLED_LOCAL_TRAIN = { epochs: 2, batchSize: 64, learningRate: 0.01, seed: 1, sampledNegatives: 64, bucketByLength: true } as const satisfies TrainOptions

/**
 * The local schedule for a catalogue of `numItems` items; a given `base` keeps its settings
 * (sampling {@link SAMPLED_LOCAL_TRAIN}'s negatives when it names none on a large catalogue).
 * @example localTrainOptions(194) // LOCAL_TRAIN
 */
export function localTrainOptions(numItems: number, base?: TrainOptions): TrainOptions {
  if (numItems <= FULL_SOFTMAX_UP_TO) return base ?? LOCAL_TRAIN
  if (base === undefined) return SAMPLED_LOCAL_TRAIN
  return base.sampledNegatives === undefined ? { ...base, sampledNegatives: SAMPLED_LOCAL_TRAIN.sampledNegatives } : base
}

/** Builds a model instance over the given weights (the caller disposes it). */
export function instantiate(model: GlobalModel, weights: Float32Array): SessionModel {
  return new SessionModel(parseModelConfig(model.bundle.description.config), weights, itemCategories(model))
}

/**
 * Trains from the global weights on the device's sessions; returns the new weights.
 * @example const { weights } = await trainLocal(global, sessions)
 */
export async function trainLocal(model: GlobalModel, sessions: readonly number[][], opts?: TrainOptions): Promise<{ weights: Float32Array; examples: number; losses: number[] }> {
  const m = instantiate(model, model.bundle.weights)
  try {
    const ex = buildExamples(sessions, m.cfg.maxLen)
    const { epochLosses } = await m.train(ex, localTrainOptions(m.cfg.numItems, opts))
    return { weights: await m.getWeights(), examples: ex.count, losses: epochLosses }
  } finally {
    m.dispose()
  }
}
