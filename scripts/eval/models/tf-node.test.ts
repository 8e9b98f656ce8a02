import { describe, expect, it } from 'vitest'
import { nodeTf } from './tf-node.js'

describe('nodeTf (wasm)', () => {
  it('gathers rows and segment-sums with its own kernels, with the values of the cpu backend', async () => {
    const tf = await nodeTf('wasm')
    expect(tf.getBackend()).toBe('wasm')
    const table = tf.tensor2d([0, 0, 1, 2, 3, 4, 5, 6], [4, 2])
    const ids = tf.tensor2d([3, 1, 1, 0], [2, 2], 'int32')
    expect(tf.gather(table, ids).arraySync()).toEqual([[[5, 6], [1, 2]], [[1, 2], [0, 0]]])
    expect(tf.gather(tf.tensor1d([7, 8, 9], 'int32'), tf.tensor1d([2, 0], 'int32')).arraySync()).toEqual([9, 7])
    // Another axis goes to the backend's own kernel.
    expect(tf.gather(table, tf.tensor1d([1], 'int32'), 1).arraySync()).toEqual([[0], [2], [4], [6]])
    // The gradient of a lookup (UnsortedSegmentSum) adds the rows of repeated ids.
    const g = tf.grad((t: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.gather(t, ids)))(table)
    expect(g.arraySync()).toEqual([[1, 1], [2, 2], [0, 0], [1, 1]])
    expect(() => tf.gather(table, tf.tensor1d([4], 'int32'))).toThrow(/index 4 is not in \[0, 4\)/)
  })
})
