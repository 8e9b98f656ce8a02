/** Differentiable row lookup that works on every tfjs backend. */
import * as tf from '@tensorflow/tfjs-core'

/**
 * Row lookup. The gradient of `tf.gather` needs the UnsortedSegmentSum kernel, which the wasm
 * backend lacks (../shared/PLATFORM.md), so where it is not registered we look up by one-hot ×
 * table instead (a one-row table is broadcast: oneHot needs depth ≥ 2).
 */
export function lookup(table: tf.Tensor2D, idx: tf.Tensor): tf.Tensor {
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined) return tf.gather(table, idx)
  const d = table.shape[1]
  if (table.shape[0] === 1) return tf.broadcastTo(tf.reshape(table, [...idx.shape.map(() => 1), d]), [...idx.shape, d])
  const flat = tf.reshape(idx, [-1]) as tf.Tensor1D
  const rows = tf.matMul(tf.cast(tf.oneHot(flat, table.shape[0]), 'float32'), table)
  return tf.reshape(rows, [...idx.shape, d])
}
