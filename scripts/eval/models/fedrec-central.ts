/** `fedrec-central`: the on-device session model (sdk/src/model) trained centrally, the upper bound. */

import { gzipSync } from 'node:zlib'
import { decodeModel, encodeModel, layoutSize, ModelEncoding, modelEncodingFor, tensorSize } from '../../../aggregator/src/index.js'
import { catalogueConfig, initWeights, modelLayout, SessionModel, type SessionModelConfig } from '../../../sdk/src/model/index.js'
import { REPEAT_TENSOR } from '../../../sdk/src/model/config.js'
import { carveValidation, splitRepeats, type TrainData } from '../data.js'
import { evaluateCases } from '../evaluate.js'
import { checkParams, choiceParam, floatParam, intParam, ParamError } from '../params.js'
import type { FitInfo, FitOptions } from '../recommender.js'
import {
  itemIndex,
  type ItemIndex,
  NeuralRecommender,
  reportedParams,
  TRAIN_PARAM_KEYS,
  trainEpochs,
  trainingExamples,
  trainParams,
  TRAIN_DEFAULTS,
} from './neural.js'
import { nodeTf } from './tf-node.js'

/** `--param` keys of the model's shape beyond width and length (see {@link modelConfig}). */
export const TABLE_PARAM_KEYS = ['own', 'shared', 'scale', 'attention', 'repeat', 'model_encoding'] as const

/**
 * Session model config for a catalogue of `numItems` items: the item table the SDK ships for
 * that catalogue (`catalogueConfig`: cosine logits and repeat scores above 200 items, compact above
 * 45,000) unless `--param M.own=N` and
 * `M.shared=N` say otherwise (`own=0`: one row per item, the uncompressed table), and its logits
 * (`M.scale=S`: cosine logits times S, 0: dot products). `dp`: the config the SDK ships for a
 * model trained with DP noise (`catalogueConfig`'s `private`).
 * @example modelConfig(43097, {}) // { numItems: 43097, dim: 32, maxLen: 10, numCategories: 0, scale: 10, repeat: true }
 */
export function modelConfig(numItems: number, params: FitOptions['params'], dp = false): SessionModelConfig {
  // The shared data sets carry no categories: every item is in category 0 ("unknown").
  const shipped = catalogueConfig(numItems, 0, { private: dp })
  const own = intParam(params, 'own', shipped.ownRows ?? 0, 0)
  const shared = intParam(params, 'shared', shipped.hashRows ?? 0, 0)
  const dim = intParam(params, 'dim', shipped.dim, 4)
  const maxLen = intParam(params, 'maxlen', shipped.maxLen, 1)
  const scale = floatParam(params, 'scale', shipped.scale ?? 0, 0, 1000)
  const attention = intParam(params, 'attention', shipped.selfAttention ?? 0, 0)
  const repeat = intParam(params, 'repeat', shipped.repeat === true ? 1 : 0, 0) === 1
  const base = {
    numItems,
    dim,
    maxLen,
    numCategories: 0,
    ...(scale > 0 ? { scale } : {}),
    ...(attention > 0 ? { selfAttention: attention } : {}),
    ...(repeat ? { repeat } : {}),
  }
  if (own === 0 || own >= numItems) return base
  if (shared < 2) throw new ParamError(`parameter own=${own} needs shared ≥ 2 (rows the other items hash into)`)
  return { ...base, ownRows: own, hashRows: shared }
}

/** The item table's shape as reported with the results. */
export function tableParams(cfg: SessionModelConfig): Record<string, number> {
  const table: Record<string, number> = cfg.ownRows !== undefined ? { own: cfg.ownRows, shared: cfg.hashRows ?? 0 } : { own: 0 }
  return { dim: cfg.dim, maxlen: cfg.maxLen, ...table, scale: cfg.scale ?? 0, attention: cfg.selfAttention ?? 0, repeat: cfg.repeat === true ? 1 : 0 }
}

/**
 * `--param M.model_encoding=E`: how the model travels to devices (`float32`, `int8-rows`,
 * `int4-rows`); default what the edge publishes for the model's layout (`modelEncodingFor`:
 * int8 rows, the item table in int4 rows past 1M parameters).
 */
export function modelEncodingParam(cfg: SessionModelConfig, params: FitOptions['params']): ModelEncoding {
  return choiceParam(params, 'model_encoding', Object.values(ModelEncoding), modelEncodingFor(modelLayout(cfg)))
}

/**
 * What a device downloads for this model: the model bundle as the edge publishes it (in
 * `encoding`, with the item ids as the vocabulary), gzipped — the figure the 1 MB
 * download budget is about.
 */
export function downloadBytes(cfg: SessionModelConfig, weights: Float32Array, index: ItemIndex, encoding: ModelEncoding): number {
  const description = { layout: modelLayout(cfg), config: { ...cfg }, vocab: Array.from(index.toRaw, String) }
  return gzipSync(encodeModel({ version: 0, description, weights }, { encoding }), { level: 9 }).length
}

/**
 * The weights a device decodes from the published bundle: the master weights through `encoding`.
 * The harness scores these, not the float32 master: int4 rows move each weight by up to a step
 * of its row.
 */
export function publishedWeights(cfg: SessionModelConfig, weights: Float32Array, encoding: ModelEncoding): Float32Array {
  if (encoding === ModelEncoding.Float32) return weights
  return decodeModel(encodeModel({ version: 0, description: { layout: modelLayout(cfg), config: {}, vocab: [] }, weights }, { encoding })).weights
}

/**
 * The browser's model, trained on all training sessions at once with Adam and sampled softmax
 * (row-sparse updates of the item table, sdk/src/model/sparse-train.ts). `--param
 * fedrec-central.validate=1` instead trains on all but the last 10 % of sessions and reports
 * validation P@20 / MRR@20 after every epoch: that is how the defaults were chosen.
 */
/**
 * Central training's defaults: {@link TRAIN_DEFAULTS} but 6 epochs with the learning rate times
 * 0.7 each epoch, the last of them on the most recent 20 % of the examples. Chosen with the
 * learned repeat scores on the validation split of the full Diginetica training sessions
 * (docs/MODEL.md).
 */
export const CENTRAL_DEFAULTS = { ...TRAIN_DEFAULTS, epochs: 6, lrDecay: 0.7, recentEpochs: 1 } as const

/**
 * The repeat margin's calibration (`--param M.margin_share=f`, 0 = none): the most recent
 * `share` of the training sessions stay out of the epochs before the recent ones; after them,
 * each of `margins` is added to every repeat weight and scored on those sessions' next items,
 * and the one with the highest P@20 + MRR@20 is kept in the published model. The held-out
 * sessions then train with the others in the recent epochs. Repeat weights fitted by
 * likelihood leave the session's items lower than a top-20 list wants them (likelihood pays
 * for the probability a repeat takes from a new next item; a list of 20 pays one slot), by an
 * amount that depends on the shop: on Diginetica's validation split 2 more per position gained
 * 0.7 P@20 and 0.3 MRR@20, on YooChoose 1/64's 1 more lost 2.3 MRR@20 (docs/MODEL.md).
 */
export const MARGIN_CALIBRATION = { share: 0.02, maxCases: 5000, margins: [0, 0.5, 1, 1.5, 2, 3, 4, 6] } as const

/** Offset of the repeat weights in a flat weight vector of `cfg`'s layout (config.ts `REPEAT_TENSOR`), -1 without them. */
function repeatOffset(cfg: SessionModelConfig): number {
  let off = 0
  for (const t of modelLayout(cfg)) {
    if (t.name === REPEAT_TENSOR) return off
    off += tensorSize(t.shape)
  }
  return -1
}

/** `weights` with `margin` added to each repeat weight (a copy; unchanged without repeat scores). */
export function withRepeatMargin(cfg: SessionModelConfig, weights: Float32Array, margin: number): Float32Array {
  const out = Float32Array.from(weights)
  const off = repeatOffset(cfg)
  if (off >= 0) for (let j = 0; j < cfg.maxLen; j++) out[off + j] = out[off + j]! + margin
  return out
}

export class FedrecCentral extends NeuralRecommender {
  readonly name = 'fedrec-central'

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, [...TRAIN_PARAM_KEYS, ...TABLE_PARAM_KEYS, 'validate', 'margin_share'])
    await nodeTf()
    const t = trainParams(opts, CENTRAL_DEFAULTS)
    const validate = intParam(opts.params, 'validate', 0, 0) === 1
    const split = validate ? carveValidation(data, 0.1, 5000) : null
    // The catalogue (and so the model's output layer) is the whole training set's in both modes.
    this.index = itemIndex(data)
    const cfg = modelConfig(this.index.numItems, opts.params)
    const encoding = modelEncodingParam(cfg, opts.params)
    const fitData = split?.fit ?? data
    const marginShare = floatParam(opts.params, 'margin_share', cfg.repeat === true && !opts.quick ? MARGIN_CALIBRATION.share : 0, 0, 0.5)
    if (marginShare > 0 && cfg.repeat !== true) throw new ParamError('parameter margin_share needs repeat scores (repeat=1)')
    const calibration = marginShare > 0 ? carveValidation(fitData, marginShare, MARGIN_CALIBRATION.maxCases) : null
    const all = trainingExamples(fitData, this.index, cfg.maxLen)
    const ex = calibration === null ? all : trainingExamples(calibration.fit, this.index, cfg.maxLen)
    const model = new SessionModel(cfg, initWeights(cfg, t.seed))
    opts.log(`${all.count} training examples, ${cfg.numItems} items, ${layoutSize(modelLayout(cfg))} weights, published as ${encoding}`)
    let margin = 0
    // Scores what a device would download: the weights through the model's encoding with the
    // repeat margin (`at`; with `noRepeat`, its repeat weights zeroed, to show what they add).
    const publishedScorer = async (noRepeat = false, at = margin): Promise<{ scorer: SessionModel; bytes: number }> => {
      const master = withRepeatMargin(cfg, await model.getWeights(), at)
      const weights = publishedWeights(cfg, master, encoding)
      const repAt = repeatOffset(cfg)
      if (noRepeat && repAt >= 0) weights.fill(0, repAt, repAt + cfg.maxLen)
      const scorer = new SessionModel(cfg, weights)
      await this.ready(scorer)
      return { scorer, bytes: downloadBytes(cfg, master, this.index, encoding) }
    }
    // The repeat margin with the best P@20 + MRR@20 on the held-out sessions (MARGIN_CALIBRATION).
    const calibrate = async (): Promise<string> => {
      if (calibration === null) return ''
      const tried: string[] = []
      let best = -Infinity
      for (const at of MARGIN_CALIBRATION.margins) {
        const { scorer } = await publishedScorer(false, at)
        const r = await evaluateCases(this, calibration.cases, data)
        scorer.dispose()
        tried.push(`${at} ${r.p20.toFixed(2)} / ${r.mrr20.toFixed(2)}`)
        if (r.p20 + r.mrr20 > best) [best, margin] = [r.p20 + r.mrr20, at]
      }
      return `repeat margin ${margin} (on ${calibration.cases.count} next items of the ${calibration.heldOutSessions} most recent sessions: ${tried.join(', ')})`
    }
    const repeats = split === null ? null : splitRepeats(split.cases)
    const validation =
      split === null || repeats === null
        ? undefined
        : async (): Promise<string> => {
            await this.ready(model)
            const m = await evaluateCases(this, split.cases, data)
            const { scorer } = await publishedScorer()
            const q = await evaluateCases(this, split.cases, data)
            const r = await evaluateCases(this, repeats.repeat, data)
            const f = await evaluateCases(this, repeats.fresh, data)
            scorer.dispose()
            let without = ''
            const rep = await model.repeatWeights()
            if (rep !== null) {
              const v = (await publishedScorer(true)).scorer
              const e = await evaluateCases(this, split.cases, data)
              v.dispose()
              without = `; repeat weights (oldest position first) ${Array.from(rep, (w) => w.toFixed(2)).join(' ')}, without them ${e.p20.toFixed(2)} / ${e.mrr20.toFixed(2)}`
            }
            return (
              `validation P@20 ${m.p20.toFixed(2)} MRR@20 ${m.mrr20.toFixed(2)}, as published (${encoding}) ${q.p20.toFixed(2)} / ${q.mrr20.toFixed(2)} (${split.cases.count} cases; ` +
              `next item in the prefix ${r.p20.toFixed(2)} / ${r.mrr20.toFixed(2)} (${repeats.repeat.count}), not ${f.p20.toFixed(2)} / ${f.mrr20.toFixed(2)}${without})`
            )
          }
    const calibrateAfter = t.epochs - t.recentEpochs - 1
    const afterEpoch = async (e: number): Promise<string> => {
      const said = [e === calibrateAfter ? await calibrate() : '', validation === undefined ? '' : await validation()]
      return said.filter((x) => x !== '').join('; ')
    }
    await trainEpochs((e, o) => model.train(e, o), ex, t, opts, afterEpoch, all)
    // The published model carries the margin in its repeat weights.
    model.setWeights(withRepeatMargin(cfg, await model.getWeights(), margin))
    const { bytes } = await publishedScorer(false, 0)
    model.dispose()
    const calibrated: Record<string, number> = calibration === null ? {} : { margin_share: marginShare, repeat_margin: margin }
    return { modelBytes: bytes, params: { ...reportedParams(t), ...tableParams(cfg), model_encoding: encoding, ...calibrated, ...(validate ? { validate } : {}) } }
  }
}
