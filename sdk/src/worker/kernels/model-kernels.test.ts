/**
 * The kernel lists of the worker's slim backends are enough for everything the worker does with
 * tfjs: this file registers nothing but kernels/cpu.ts and kernels/gradients.ts (no tfjs
 * `register_all_*`), then trains, scores and probes on that cpu backend. A kernel or gradient
 * the model starts to use without it being listed fails here by name.
 */
import './cpu.js'
import './gradients.js'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildExamples, catalogueConfig, initWeights, modelLayout, SessionModel, type SessionModelConfig, type TrainOptions } from '../../model/index.js'
import { probeTraining } from '../backend.js'
import type { Backend } from '../backend-kinds.js'
import { trainLocal } from '../local-training.js'
import type { GlobalModel } from '../model-cache.js'
import { KERNELS as CPU } from './cpu.js'
import { GRADIENTS } from './gradients.js'
import { MODEL_KERNELS } from './model-kernels.js'
import { KERNELS as WASM } from './wasm.js'
import { KERNELS as WEBGL } from './webgl.js'
import { KERNELS as WEBGPU } from './webgpu.js'

const sorted = (names: Iterable<string>): string[] => [...names].sort()

describe('the worker registers only the model kernels', () => {
  it('each backend module registers its list, for its backend', () => {
    const modules: Record<Backend, readonly tf.KernelConfig[]> = { cpu: CPU, webgl: WEBGL, wasm: WASM, webgpu: WEBGPU }
    for (const [backend, configs] of Object.entries(modules) as [Backend, readonly tf.KernelConfig[]][]) {
      expect(sorted(configs.map((k) => k.kernelName)), backend).toEqual(sorted(MODEL_KERNELS))
      expect(new Set(configs.map((k) => k.backendName)), backend).toEqual(new Set([backend]))
    }
  })

  it('this file runs on nothing else: the cpu backend has exactly the list, gradients only of listed kernels', () => {
    expect(sorted(tf.getKernelsForBackend('cpu').map((k) => k.kernelName))).toEqual(sorted(MODEL_KERNELS))
    const listed = new Set<string>(MODEL_KERNELS)
    expect(GRADIENTS.filter((g) => !listed.has(g.kernelName))).toEqual([])
    expect(tf.getGradient('Conv2D')).toBeUndefined()
  })
})

const sessions = Array.from({ length: 12 }, (_, s) => Array.from({ length: 3 + (s % 5) }, (_, k) => 1 + ((s * 7 + k * 13) % 40)))
const schedule = { epochs: 2, batchSize: 8, learningRate: 0.05, seed: 4 } satisfies TrainOptions
const small: SessionModelConfig = { numItems: 40, dim: 8, maxLen: 5, numCategories: 3 }
const noCategories: SessionModelConfig = { ...small, numCategories: 0 }
const compact: SessionModelConfig = { numItems: 3000, dim: 8, maxLen: 5, numCategories: 2, ownRows: 20, hashRows: 30 }
const rowPerItem: SessionModelConfig = { numItems: 3000, dim: 8, maxLen: 5, numCategories: 0 }
const sampled = { ...schedule, sampledNegatives: 16 } satisfies TrainOptions

/**
 * Every model path the worker can take, and a compact table's full softmax, which the worker
 * never runs (compact tables start above COMPACT_OWN + COMPACT_SHARED items; the worker samples
 * negatives on every catalogue above 64 items) but the model supports.
 */
const paths: [string, SessionModelConfig, TrainOptions][] = [
  ['full softmax, Adam', small, schedule],
  ['full softmax, SGD', small, { ...schedule, optimizer: 'sgd' }],
  ['full softmax, no categories (one-row table)', noCategories, schedule],
  ['sampled softmax, compact table, Adam, length buckets', compact, { ...sampled, bucketByLength: true }],
  ['sampled softmax, compact table, SGD', compact, { ...sampled, optimizer: 'sgd' }],
  ['sampled softmax, a row per item', rowPerItem, sampled],
  ['sampled softmax, compact table, cosine logits, mixed negatives', { ...compact, scale: 8 }, { ...sampled, inBatchNegatives: true }],
  ['full softmax, cosine logits', { ...small, scale: 8 }, schedule],
  ['full softmax, self-attention', { ...small, selfAttention: 1 }, schedule],
  ['sampled softmax, a row per item, cosine logits, self-attention, mixed negatives, input dropout', { ...rowPerItem, scale: 8, selfAttention: 1 }, { ...sampled, inBatchNegatives: true, dropout: 0.1 }],
  ['sampled softmax, a row per item, cosine logits, repeat scores, mixed negatives', { ...rowPerItem, scale: 8, repeat: true }, { ...sampled, inBatchNegatives: true }],
  ['full softmax, repeat scores', { ...small, repeat: true }, schedule],
  ['full softmax, compact table', compact, schedule],
]

/** Trains twice (optimizer state carried over), then scores, encodes, reads and resets. */
async function exercise(cfg: SessionModelConfig, opts: TrainOptions): Promise<number[]> {
  const cats = Array.from({ length: cfg.numItems + 1 }, (_, i) => i % (cfg.numCategories + 1))
  const m = new SessionModel(cfg, initWeights(cfg, 3), cats)
  try {
    const ex = buildExamples(cfg.numItems > 100 ? sessions.map((s) => s.map((i) => (i * 71) % cfg.numItems || 1)) : sessions, cfg.maxLen)
    const losses = [...(await m.train(ex, opts)).epochLosses, ...(await m.train(ex, opts)).epochLosses]
    const prefixes = ex.inputs.slice(0, 2 * cfg.maxLen)
    const scores = await m.scoreBatch(prefixes, 2)
    expect(scores).toHaveLength(2 * (cfg.numItems + 1))
    expect(await m.encodeBatch(prefixes, 2)).toHaveLength(2 * cfg.dim)
    expect(await m.itemVectors()).toHaveLength((cfg.numItems + 1) * cfg.dim)
    expect((await m.getWeights()).every(Number.isFinite)).toBe(true)
    m.setWeights(initWeights(cfg, 4))
    return losses
  } finally {
    m.dispose()
  }
}

function globalModel(numItems: number): GlobalModel {
  const config = catalogueConfig(numItems, 0)
  const vocab = Array.from({ length: numItems }, (_, i) => `sku-${i + 1}`)
  const bundle = { version: 3, description: { layout: modelLayout(config), config: { ...config }, vocab }, weights: initWeights(config, 9) }
  return { bundle, vocab: new Map(vocab.map((id, i) => [id, i + 1])) }
}

describe('the model trains on the listed cpu kernels', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true)
  })

  for (const [name, cfg, opts] of paths) {
    it(name, async () => {
      const losses = await exercise(cfg, opts)
      expect(losses).toHaveLength(2 * opts.epochs)
      expect(losses.every(Number.isFinite)).toBe(true)
      expect(losses.at(-1)!).toBeLessThan(losses[0]!)
    })
  }

  it("the backend probe and the worker's local training (small shop, large catalogue)", async () => {
    await probeTraining()
    for (const items of [194, 2500]) {
      const { weights, losses } = await trainLocal(globalModel(items), sessions, { epochs: 1, batchSize: 64, learningRate: 0.02, seed: 1 })
      expect(weights.every(Number.isFinite)).toBe(true)
      expect(losses.every(Number.isFinite)).toBe(true)
    }
  })

  it('a kernel left off the list fails by name', async () => {
    const m = new SessionModel(small, initWeights(small, 3))
    const tanh = tf.getKernel('Tanh', 'cpu')!
    tf.unregisterKernel('Tanh', 'cpu')
    try {
      await expect(probeTraining()).rejects.toThrow(/Tanh/)
    } finally {
      tf.registerKernel(tanh)
      m.dispose()
    }
  })
})
