import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { layoutSize } from '../../../aggregator/src/index.js'
import { modelLayout, type SessionModelConfig } from '../model/config.js'
import { writePrefix } from '../model/examples.js'
import { mulberry32 } from '../model/init-weights.js'
import { SessionModel } from '../model/session-model.js'
import { SessionScorer } from './score-js.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** Weights uniform in [-scale, scale]: large enough that the attention and sigmoid are far from linear. */
function randomWeights(cfg: SessionModelConfig, seed: number, scale = 0.5): Float32Array {
  const rand = mulberry32(seed)
  return Float32Array.from({ length: layoutSize(modelLayout(cfg)) }, () => (rand() * 2 - 1) * scale)
}

/** The tfjs model's logits over every row after one context (the reference). */
async function tfjsLogits(m: SessionModel, context: readonly number[]): Promise<Float32Array> {
  const L = m.cfg.maxLen
  const input = new Int32Array(L)
  const ctx = context.slice(-L)
  writePrefix(ctx, ctx.length, L, input, 0)
  const out = tf.tidy(() => m.logits(tf.tensor2d(input, [1, L], 'int32')))
  const data = (await out.data()) as Float32Array
  out.dispose()
  return data
}

describe('SessionScorer', () => {
  const configs: SessionModelConfig[] = [
    { numItems: 40, dim: 8, maxLen: 6, numCategories: 3 },
    { numItems: 97, dim: 16, maxLen: 10, numCategories: 0 },
    { numItems: 30, dim: 5, maxLen: 1, numCategories: 2 },
    // A compact table: items 1..12 own a row, the others sum two of 9 shared rows.
    { numItems: 80, dim: 8, maxLen: 5, numCategories: 3, ownRows: 12, hashRows: 9 },
    // Cosine logits (NISER): unit session and item vectors, times the scale.
    { numItems: 80, dim: 8, maxLen: 5, numCategories: 3, ownRows: 12, hashRows: 9, scale: 7 },
    // Self-attention blocks before the readout, one and two.
    { numItems: 80, dim: 8, maxLen: 6, numCategories: 3, scale: 7, selfAttention: 1 },
    { numItems: 50, dim: 6, maxLen: 4, numCategories: 0, selfAttention: 2 },
    // Repeat scores: the session's items add a weight per position they hold.
    { numItems: 60, dim: 8, maxLen: 5, numCategories: 2, scale: 7, repeat: true },
  ]
  for (const [c, cfg] of configs.entries()) {
    it(`scores every item as SessionModel.logits does (dim ${cfg.dim}, maxLen ${cfg.maxLen}, ${cfg.numCategories} categories${cfg.ownRows ? ', compact table' : ''}${cfg.scale ? ', cosine logits' : ''}${cfg.selfAttention ? `, ${cfg.selfAttention} self-attention blocks` : ''}${cfg.repeat ? ', repeat scores' : ''})`, async () => {
      const rand = mulberry32(100 + c)
      const weights = randomWeights(cfg, 7 + c)
      // Some categories out of range, as a damaged bundle could carry: both treat them as unknown.
      const cats = [0, ...Array.from({ length: cfg.numItems }, () => Math.floor(rand() * (cfg.numCategories + 2)) - (rand() < 0.05 ? 5 : 0))]
      const m = new SessionModel(cfg, weights, cats)
      const scorer = new SessionScorer(cfg, weights, cats)
      try {
        // Shorter than, equal to and longer than maxLen; repeats; the first and the last row.
        const contexts = [[1], [cfg.numItems], [3, 3, 7], Array.from({ length: cfg.maxLen }, () => 1 + Math.floor(rand() * cfg.numItems)), Array.from({ length: cfg.maxLen + 4 }, () => 1 + Math.floor(rand() * cfg.numItems))]
        for (const ctx of contexts) {
          const ref = await tfjsLogits(m, ctx)
          const session = scorer.session(ctx)
          let maxErr = 0
          for (let row = 1; row <= cfg.numItems; row++) maxErr = Math.max(maxErr, Math.abs(scorer.score(session, row) - ref[row]!))
          expect(maxErr, `context ${ctx.join(',')}`).toBeLessThan(1e-4)
          // The scores differ between items: a scorer returning a constant would not pass.
          expect(new Set(Array.from(ref.subarray(1), (x) => x.toFixed(3))).size).toBeGreaterThan(cfg.numItems / 2)
        }
      } finally {
        m.dispose()
      }
    })
  }

  it('reads the weights in place: a fine-tune written into the same array changes the scores', () => {
    const cfg = configs[0]!
    const weights = randomWeights(cfg, 3)
    const scorer = new SessionScorer(cfg, weights)
    const before = scorer.score(scorer.session([1, 2]), 5)
    weights.fill(0.01)
    expect(scorer.score(scorer.session([1, 2]), 5)).not.toBeCloseTo(before, 6)
  })

  it('refuses weights of the wrong size, rows outside the model and an empty context', () => {
    const cfg = configs[0]!
    const weights = randomWeights(cfg, 1)
    expect(() => new SessionScorer(cfg, weights.subarray(1))).toThrow(/weights have \d+ values, the model needs \d+/)
    const scorer = new SessionScorer(cfg, weights)
    const session = scorer.session([2])
    expect(() => scorer.score(session, 0)).toThrow(/item row 0 is outside the model's 1…40/)
    expect(() => scorer.score(session, 41)).toThrow(RangeError)
    expect(() => scorer.session([2, 1.5])).toThrow(/item row 1.5/)
    expect(() => scorer.session([])).toThrow(/at least one item/)
  })
})
