/**
 * Our cpu UnsortedSegmentSum against tfjs-backend-cpu's own, each alone on a backend of its own.
 * (The wasm kernels run in scripts/eval/models/tf-node.test.ts, on the real wasm backend.)
 */
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu/dist/base'
import { unsortedSegmentSumConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/UnsortedSegmentSum'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../model/init-weights.js'
import { cpuSegmentSumConfig, replaceKernels, segmentSum } from './js-kernels.js'

const OURS = 'cpu-js-kernels'
const TFJS = 'cpu-tfjs-kernels'

beforeAll(() => {
  for (const [name, config] of [[OURS, cpuSegmentSumConfig], [TFJS, unsortedSegmentSumConfig]] as const) {
    tf.registerBackend(name, () => new MathBackendCPU())
    tf.registerKernel({ ...config, backendName: name })
  }
})

afterAll(() => {
  tf.removeBackend(OURS)
  tf.removeBackend(TFJS)
})

/** `tf.unsortedSegmentSum` on the given backend: its shape and values. */
async function onBackend(backend: string, x: () => tf.Tensor, ids: number[], n: number): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend)
  return tf.tidy(() => {
    const y = tf.unsortedSegmentSum(x(), tf.tensor1d(ids, 'int32'), n)
    return { shape: y.shape, values: [...y.dataSync()] }
  })
}

describe('segmentSum', () => {
  it('adds each row into its segment and drops ids outside [0, segments)', () => {
    const out = new Float32Array(6)
    segmentSum([1, 2, 3, 4, 5, 6, 7, 8], [2, 0, 2, 3], 3, out)
    expect([...out]).toEqual([3, 4, 0, 0, 1 + 5, 2 + 6])
  })
})

describe('cpuSegmentSumConfig', () => {
  it('computes what tfjs-backend-cpu computes: floats, ints, 3-d rows, repeated and unused segments', async () => {
    const rand = mulberry32(5)
    const ids = Array.from({ length: 40 }, () => Math.floor(rand() * 9))
    const floats = Array.from({ length: 40 * 6 }, () => rand() - 0.5)
    const cases: [() => tf.Tensor, number[], number][] = [
      [() => tf.tensor2d(floats, [40, 6]), ids, 12],
      [() => tf.tensor3d(floats, [40, 3, 2]), ids, 9],
      [() => tf.tensor1d(ids.map((i) => i * 3), 'int32'), ids, 10],
      [() => tf.tensor2d([], [0, 4]), [], 3],
    ]
    for (const [x, i, n] of cases) {
      const [ours, theirs] = [await onBackend(OURS, x, i, n), await onBackend(TFJS, x, i, n)]
      expect(ours.shape).toEqual(theirs.shape)
      // Float32 sums in another order than tfjs's (which adds in doubles): equal to rounding.
      expect(ours.values.map((v, k) => Math.abs(v - theirs.values[k]!)).every((d) => d < 1e-6)).toBe(true)
      expect(ours.values.length).toBe(theirs.values.length)
    }
  })

  it("is the gradient of a lookup (the cpu backend's with ours in place of its UnsortedSegmentSum)", async () => {
    await tf.setBackend('cpu')
    replaceKernels([cpuSegmentSumConfig])
    const table = tf.tensor2d([0, 0, 1, 2, 3, 4], [3, 2])
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 1, 2], 'int32'))))(table)
    expect(g.arraySync()).toEqual([[0, 0], [1, 1], [2, 2]])
  })
})
