/** Session-kNN baseline (V-SKNN): items of the recent training sessions most similar to this one. */

import { carveValidation, type TrainData } from '../data.js'
import { evaluateCases } from '../evaluate.js'
import type { FitInfo, FitOptions, ParamValue, Recommender } from '../recommender.js'
import { checkParams, choiceParam, intParam } from '../params.js'
import {
  distinctSessions,
  invertIndex,
  typedBytes,
  type Csr,
} from './sparse.js'

/** How the weighted overlap between the prefix and a neighbour becomes a similarity. */
export type SknnSimilarity = 'dot' | 'cosine'

/** The hyperparameters of {@link SessionKnn}. */
export interface SknnConfig {
  /** Neighbour sessions whose items are scored. */
  readonly k: number
  /** Candidate sessions: the most recent ones sharing at least one item with the prefix. */
  readonly sample: number
  readonly similarity: SknnSimilarity
}

/**
 * The grid searched on the validation split. The values bracket session-rec's defaults (k = 100,
 * sample_size = 500/1000) and the settings Ludewig et al. 2021 report for these data sets.
 */
export const SKNN_GRID = {
  k: [50, 100, 200, 400],
  sample: [500, 1000, 2500],
  similarity: ['dot', 'cosine'],
} as const satisfies { k: readonly number[]; sample: readonly number[]; similarity: readonly SknnSimilarity[] }

/** The smaller grid used under `--quick`. */
export const SKNN_QUICK_GRID = {
  k: [100, 200],
  sample: [500, 1000],
  similarity: ['dot', 'cosine'],
} as const satisfies { k: readonly number[]; sample: readonly number[]; similarity: readonly SknnSimilarity[] }

/** Validation split: the last 10 % of training sessions, at most this many next-item cases. */
export const SKNN_VALIDATION = { fraction: 0.1, maxCases: 10_000, quickMaxCases: 2_000 } as const

/**
 * V-SKNN (Ludewig & Jannach 2018; Ludewig et al. 2021; session-rec `knn/vsknn.py`, VMContextKNN):
 *
 * 1. Candidates: the `sample` most recent training sessions (higher line = more recent) that
 *    share an item with the prefix.
 * 2. Prefix weights, linear decay: the item at 1-based position p of a length-L prefix weighs
 *    p / L (vsknn.py `weighting='div'`; a repeated item keeps its latest position).
 * 3. Similarity = Σ weights of shared items, divided by the number of distinct prefix items
 *    (`dot`, vsknn.py's `vec`) or by sqrt(distinct prefix items × distinct neighbour items)
 *    (`cosine`, which also discounts long neighbours).
 * 4. The `k` most similar candidates (ties: more recent first) each add similarity × 1/step to
 *    every item they contain, where step = how many clicks back the most recent shared item is
 *    (vsknn.py `weighting_score='div'`). Items of the prefix itself may be recommended
 *    (`remind=True`).
 *
 * k, sample and similarity are picked on a validation split carved from the end of the
 * training sessions ({@link SKNN_VALIDATION}, grid {@link SKNN_GRID}, criterion MRR@20 as in
 * Ludewig et al. 2021, then P@20), then the model is refit on all training sessions. Passing all
 * three as `--param session-knn.k=…` etc. skips the search.
 * @example
 * const m = new SessionKnn(); await m.fit(train, opts); m.score(Int32Array.of(1, 2, 3), out)
 */
export class SessionKnn implements Recommender {
  readonly name = 'session-knn'
  config: SknnConfig = { k: 100, sample: 1000, similarity: 'dot' }

  private sess: Csr = { off: new Int32Array(1), idx: new Int32Array(0) }
  private inv: Csr = { off: new Int32Array(2), idx: new Int32Array(0) }
  private maxId = 0
  // Per-query scratch, sized at fit time.
  private weight = new Float64Array(0)
  private lastPos = new Int32Array(0)
  private stamp = new Int32Array(0)
  private query = 0
  private heads = new Int32Array(0)
  private starts = new Int32Array(0)
  private listW = new Float64Array(0)
  private listPos = new Int32Array(0)
  private candSession = new Int32Array(0)
  private candSim = new Float64Array(0)
  private candStep = new Int32Array(0)

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, ['k', 'sample', 'similarity'])
    const fixed = ['k', 'sample', 'similarity'].every((key) => opts.params[key] !== undefined)
    const params: Record<string, ParamValue> = {}
    if (fixed) {
      this.config = {
        k: intParam(opts.params, 'k', 100, 1),
        sample: intParam(opts.params, 'sample', 1000, 1),
        similarity: choiceParam(opts.params, 'similarity', ['dot', 'cosine'] as const, 'dot'),
      }
      params['tuned'] = false
    } else {
      const grid = opts.quick ? SKNN_QUICK_GRID : SKNN_GRID
      const maxCases = opts.quick ? SKNN_VALIDATION.quickMaxCases : SKNN_VALIDATION.maxCases
      const split = carveValidation(data, SKNN_VALIDATION.fraction, maxCases)
      this.index(split.fit)
      opts.log(
        `tuning on a validation split: fit on sessions 1..${split.fitSessions}, ` +
          `${split.cases.count} cases from the last ${split.heldOutSessions} sessions`,
      )
      const configs: SknnConfig[] = []
      for (const similarity of grid.similarity)
        for (const sample of grid.sample) for (const k of grid.k) configs.push({ k, sample, similarity })
      let best: { config: SknnConfig; p20: number; mrr20: number } | undefined
      for (let c = 0; c < configs.length; c++) {
        this.config = configs[c]!
        const m = await evaluateCases(this, split.cases, split.fit)
        opts.log(
          `  k=${this.config.k} sample=${this.config.sample} ${this.config.similarity}: ` +
            `P@20 ${m.p20.toFixed(2)} MRR@20 ${m.mrr20.toFixed(2)}`,
        )
        opts.progress((c + 1) / (configs.length + 1), 'validation grid')
        if (best === undefined || m.mrr20 > best.mrr20 || (m.mrr20 === best.mrr20 && m.p20 > best.p20)) {
          best = { config: this.config, p20: m.p20, mrr20: m.mrr20 }
        }
      }
      this.config = best!.config
      params['tuned'] = true
      params['validation_cases'] = split.cases.count
      params['validation_p20'] = Number(best!.p20.toFixed(2))
      params['validation_mrr20'] = Number(best!.mrr20.toFixed(2))
    }
    this.index(data)
    return {
      modelBytes: typedBytes(this.sess.off, this.sess.idx, this.inv.off, this.inv.idx),
      params: { k: this.config.k, sample: this.config.sample, similarity: this.config.similarity, ...params },
    }
  }

  /** Builds the session → items and item → sessions indexes and the scratch buffers. */
  private index(data: TrainData): void {
    this.sess = distinctSessions(data)
    this.inv = invertIndex(this.sess, data.maxId)
    this.maxId = data.maxId
    this.weight = new Float64Array(data.maxId + 1)
    this.lastPos = new Int32Array(data.maxId + 1)
    this.stamp = new Int32Array(data.maxId + 1)
    this.query = 0
  }

  private ensureScratch(lists: number, sample: number): void {
    if (this.heads.length < lists) {
      this.heads = new Int32Array(lists * 2)
      this.starts = new Int32Array(lists * 2)
      this.listW = new Float64Array(lists * 2)
      this.listPos = new Int32Array(lists * 2)
    }
    if (this.candSession.length < sample) {
      this.candSession = new Int32Array(sample)
      this.candSim = new Float64Array(sample)
      this.candStep = new Int32Array(sample)
    }
  }

  score(prefix: Int32Array, out: Float32Array): void {
    const { k, sample, similarity } = this.config
    const inv = this.inv
    const sess = this.sess
    // Keep the known clicks; positions are counted over them.
    const q = ++this.query
    let length = 0
    for (let p = 0; p < prefix.length; p++) {
      const id = prefix[p]!
      if (id > 0 && id <= this.maxId && inv.off[id + 1]! > inv.off[id]!) length++
    }
    if (length === 0) return
    let distinct = 0
    let pos = 0
    for (let p = 0; p < prefix.length; p++) {
      const id = prefix[p]!
      if (!(id > 0 && id <= this.maxId && inv.off[id + 1]! > inv.off[id]!)) continue
      pos++
      if (this.stamp[id] !== q) {
        this.stamp[id] = q
        distinct++
      }
      this.weight[id] = pos / length // linear decay; later occurrences overwrite
      this.lastPos[id] = pos
    }
    this.ensureScratch(distinct, sample)
    // One descending cursor per distinct prefix item over its (ascending) session list.
    let m = 0
    for (let p = 0; p < prefix.length; p++) {
      const id = prefix[p]!
      if (id > 0 && id <= this.maxId && this.stamp[id] === q) {
        this.stamp[id] = -q // emit each distinct item once
        this.heads[m] = inv.off[id + 1]! - 1
        this.starts[m] = inv.off[id]!
        this.listW[m] = this.weight[id]!
        this.listPos[m] = this.lastPos[id]!
        m++
      }
    }
    // Merge the lists from their ends: the most recent sessions of the union come out first, and
    // a session met at several heads at once shares several items (its weights add up).
    let cands = 0
    while (cands < sample) {
      let cur = -1
      for (let t = 0; t < m; t++) {
        const h = this.heads[t]!
        if (h >= this.starts[t]! && inv.idx[h]! > cur) cur = inv.idx[h]!
      }
      if (cur < 0) break
      let dot = 0
      let recent = 0
      for (let t = 0; t < m; t++) {
        const h = this.heads[t]!
        if (h >= this.starts[t]! && inv.idx[h] === cur) {
          dot += this.listW[t]!
          if (this.listPos[t]! > recent) recent = this.listPos[t]!
          this.heads[t] = h - 1
        }
      }
      const sim =
        similarity === 'dot'
          ? dot / distinct
          : dot / Math.sqrt(distinct * (sess.off[cur + 1]! - sess.off[cur]!))
      this.candSession[cands] = cur
      this.candSim[cands] = sim
      this.candStep[cands] = length - recent + 1
      cands++
    }
    // Keep the k most similar; candidates are in recency order, so ties favour recent sessions.
    let threshold = -Infinity
    if (cands > k) {
      const sims = this.candSim.slice(0, cands).sort()
      threshold = sims[cands - k]!
    }
    let above = 0
    if (cands > k) for (let c = 0; c < cands; c++) if (this.candSim[c]! > threshold) above++
    let tiesLeft = k - above
    for (let c = 0; c < cands; c++) {
      const sim = this.candSim[c]!
      if (sim < threshold) continue
      if (sim === threshold && cands > k) {
        if (tiesLeft === 0) continue
        tiesLeft--
      }
      const s = this.candSession[c]!
      const w = sim / this.candStep[c]!
      for (let p = sess.off[s]!; p < sess.off[s + 1]!; p++) {
        const j = sess.idx[p]!
        out[j] = out[j]! + w
      }
    }
  }
}
