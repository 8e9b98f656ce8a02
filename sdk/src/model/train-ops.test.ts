import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from './init-weights.js'
import { dropoutMask } from './sparse-train.js'
import { softmaxCrossEntropy, matMul, matMulBt } from './train-ops.js'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const seeded = (shape: [number, number], seed: number): tf.Tensor2D => {
  const rand = mulberry32(seed)
  return tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => rand() * 2 - 1), shape)
}

/** Max absolute difference of two tensors' values. */
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)

describe('train ops', () => {
  it('matMul and matMulBt give tf.matMul values and gradients', () => {
    const a = seeded([5, 3], 1)
    const b = seeded([3, 4], 2)
    const bt = seeded([4, 3], 3)
    const w = seeded([5, 4], 4) // weights the product's entries differently, so the gradients are not all ones
    const loss = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), w))
    expect(maxDiff(matMul(a, b), tf.matMul(a, b))).toBeLessThan(1e-6)
    expect(maxDiff(matMulBt(a, bt), tf.matMul(a, bt, false, true))).toBeLessThan(1e-6)
    const [ga, gb] = tf.grads(loss(matMul))([a, b])
    const [ea, eb] = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b])
    expect(maxDiff(ga!, ea!)).toBeLessThan(1e-6)
    expect(maxDiff(gb!, eb!)).toBeLessThan(1e-6)
    const [ha, hb] = tf.grads(loss(matMulBt))([a, bt])
    const [fa, fb] = tf.grads(loss((x, y) => tf.matMul(x, y, false, true)))([a, bt])
    expect(maxDiff(ha!, fa!)).toBeLessThan(1e-6)
    expect(maxDiff(hb!, fb!)).toBeLessThan(1e-6)
  })

  it('matMul and matMulBt take batches of matrices too', () => {
    const a = tf.reshape(seeded([6, 3], 6), [2, 3, 3]) as tf.Tensor3D
    const b = tf.reshape(seeded([6, 4], 7), [2, 3, 4]) as tf.Tensor3D
    const c = tf.reshape(seeded([8, 3], 8), [2, 4, 3]) as tf.Tensor3D
    const w = tf.reshape(seeded([6, 4], 9), [2, 3, 4])
    const loss = (f: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor3D, y as tf.Tensor3D), w))
    const pairs: [typeof matMul, (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D, tf.Tensor3D][] = [
      [matMul, (x, y) => tf.matMul(x, y), b],
      [matMulBt, (x, y) => tf.matMul(x, y, false, true), c],
    ]
    for (const [mine, theirs, other] of pairs) {
      expect(maxDiff(mine(a, other), theirs(a, other))).toBeLessThan(1e-6)
      const [g1, g2] = tf.grads(loss(mine))([a, other])
      const [e1, e2] = tf.grads(loss(theirs))([a, other])
      expect(maxDiff(g1!, e1!)).toBeLessThan(1e-6)
      expect(maxDiff(g2!, e2!)).toBeLessThan(1e-6)
    }
  })

  it('softmaxCrossEntropy is logSumExp minus the target column, with its gradient', () => {
    const z = tf.mul(seeded([6, 9], 5), 8) as tf.Tensor2D
    const y = tf.tensor1d([0, 3, 8, 3, 1, 0], 'int32')
    const reference = (x: tf.Tensor): tf.Scalar => {
      const target = tf.sum(tf.mul(x, tf.cast(tf.oneHot(y, 9), 'float32')), 1)
      return tf.mean(tf.sub(tf.logSumExp(x, 1), target)) as tf.Scalar
    }
    expect(Math.abs(softmaxCrossEntropy(z, y).dataSync()[0]! - reference(z).dataSync()[0]!)).toBeLessThan(1e-5)
    const g = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, y))(z)
    const e = tf.grad(reference)(z)
    expect(maxDiff(g, e)).toBeLessThan(1e-6)
  })

  it('caps the loss of a hopeless target instead of returning Infinity, and keeps its gradient', () => {
    const z = tf.tensor2d([[-500, 0, 0]])
    const y = tf.tensor1d([0], 'int32')
    const v = softmaxCrossEntropy(z, y).dataSync()[0]!
    expect(v).toBeCloseTo(-Math.log(1e-30), 3)
    const g = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, y))(z).dataSync()
    expect(Array.from(g).map((x) => Number(x.toFixed(6)))).toEqual([-1, 0.5, 0.5])
  })

  it('dropoutMask zeroes about p of the values, scales the rest by 1 / (1 − p), and repeats with the seed', () => {
    const m = dropoutMask([20, 10, 32], 0.25, mulberry32(9)).dataSync()
    const zeros = m.filter((x) => x === 0).length / m.length
    expect(zeros).toBeGreaterThan(0.22)
    expect(zeros).toBeLessThan(0.28)
    expect(new Set(Array.from(m).filter((x) => x !== 0))).toEqual(new Set([Math.fround(1 / 0.75)]))
    expect(Array.from(dropoutMask([20, 10, 32], 0.25, mulberry32(9)).dataSync())).toEqual(Array.from(m))
  })
})
