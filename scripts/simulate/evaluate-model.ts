/**
 * Validation P@20 of a published global model on held-out simulated sessions, in Node (tfjs cpu).
 * Device-free: the global model alone, no personal fine-tuning, no shopper's data.
 */
import '@tensorflow/tfjs'
import { decodeModel, type ModelBundle } from '../../aggregator/src/index.js'
import { fullDomain, rankOf } from '../eval/metrics.js'
import { buildExamples, parseModelConfig, SessionModel } from '../../sdk/src/model/index.js'

/** P@20 of one model: the share of next-item predictions whose item is in the top 20. */
export interface Evaluation {
  readonly modelVersion: number
  /** Percent (P@20 = HR@20 with one relevant item per case, as scripts/eval reports it). */
  readonly p20: number
  readonly cases: number
}

/** Scoring batch size (prefixes per forward pass). */
const BATCH = 256

/**
 * Every prefix of every session predicts the next item (the protocol of scripts/eval).
 * @param sessions item-id sequences (SKUs); ids the model does not know are dropped
 * @example await evaluateModel(decodeModel(bytes), [['SKU-1', 'SKU-2', 'SKU-3']])
 */
export async function evaluateModel(bundle: ModelBundle, sessions: readonly (readonly string[])[]): Promise<Evaluation> {
  const vocab = new Map(bundle.description.vocab.map((id, i) => [id, i + 1]))
  const cfg = parseModelConfig(bundle.description.config)
  const cats = bundle.description.categories ? [0, ...bundle.description.categories] : undefined
  const indexed = sessions.map((s) => s.flatMap((id) => (vocab.has(id) ? [vocab.get(id)!] : [])))
  const ex = buildExamples(indexed, cfg.maxLen)
  const model = new SessionModel(cfg, bundle.weights, cats)
  const domain = fullDomain(cfg.numItems)
  let hits = 0
  try {
    for (let start = 0; start < ex.count; start += BATCH) {
      const n = Math.min(BATCH, ex.count - start)
      const scores = await model.scoreBatch(ex.inputs.subarray(start * cfg.maxLen, (start + n) * cfg.maxLen), n)
      const width = cfg.numItems + 1
      for (let k = 0; k < n; k++) {
        if (rankOf(scores.subarray(k * width, (k + 1) * width), ex.targets[start + k]!, domain) <= 20) hits++
      }
    }
  } finally {
    model.dispose()
  }
  return { modelVersion: bundle.version, p20: ex.count === 0 ? 0 : (100 * hits) / ex.count, cases: ex.count }
}

/** Evaluates the model bytes as served by GET /v1/model. */
export function evaluateModelBytes(bytes: Uint8Array, sessions: readonly (readonly string[])[]): Promise<Evaluation> {
  return evaluateModel(decodeModel(bytes), sessions)
}
