/**
 * Training ops with hand-written gradients, for the kernels tfjs runs slowly. Same values as the
 * plain ops; only the backward pass is formulated differently:
 *
 * - tfjs's BatchMatMul gradient multiplies by transposed operands (`transposeA` / `transposeB`),
 *   which tfjs-backend-wasm 4.22 runs in a slow loop: 12.8 ms for a [768, 256] × [256, 32]
 *   product with `transposeA` against 0.8 ms plain and 2.5 ms for an explicit transpose
 *   (measured here, Node 20). {@link matMul} and {@link matMulBt} transpose explicitly instead.
 * - `tf.logSumExp`'s gradient goes through the gradient of `max`, an `Equal` over the whole
 *   logits matrix: 68 ms for [256, 768] logits against 1 ms for `tf.softmax`.
 *   {@link softmaxCrossEntropy} differentiates softmax cross-entropy directly.
 *
 * Every backend runs them (customGrad needs no kernel of its own), so the browser worker and the
 * Node evaluation train through the same code.
 */
import * as tf from '@tensorflow/tfjs-core'

/** What `tf.customGrad` passes its function: the inputs, then the function that saves tensors for the gradient. */
type CustomGradArgs = Array<tf.Tensor | tf.GradSaveFunc>

/** Swaps the last two axes of a matrix [m, n] or a batch of them [b, m, n]. */
function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1])
}

/**
 * `a` [m, k] × `b` [k, n] (or batches of them, [b, m, k] × [b, k, n]); the gradient transposes
 * explicitly (dA = dY · bᵀ, dB = aᵀ · dY).
 * @example matMul(x, w) // the same values as tf.matMul(x, w)
 */
export function matMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    save([x, y])
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor, tf.Tensor]
        return [tf.matMul(dy, swapLast(ys)), tf.matMul(swapLast(xs), dy)]
      },
    }
  })
  return f(a, b) as T
}

/**
 * `a` [m, k] × `b`ᵀ for `b` [n, k] (session vectors against item vectors; or batches of them);
 * the gradient multiplies untransposed (dA = dY · b, dB = (aᵀ · dY)ᵀ).
 * @example matMulBt(h, items) // the same values as tf.matMul(h, items, false, true)
 */
export function matMulBt<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
    save([x, y])
    return {
      value: tf.matMul(x, swapLast(y)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor, tf.Tensor]
        // dB = (aᵀ · dY)ᵀ: transposes a and the [k, n] result, not dY (n is the catalogue's side).
        return [tf.matMul(dy, ys), swapLast(tf.matMul(swapLast(xs), dy))]
      },
    }
  })
  return f(a, b) as T
}

/** Probability below which the reported loss of an example is capped (−log of it ≈ 69). */
const MIN_PROBABILITY = 1e-30

/**
 * Mean softmax cross-entropy of logits [n, c] against target columns [n] (int32):
 * −log softmax(z)[r, y_r], with the gradient (softmax(z) − onehot(y)) / n. The value is capped
 * at −log 1e-30 per row (a target that far behind has the gradient e_y − softmax either way).
 * @example softmaxCrossEntropy(tf.concat([pos, negatives], 1), tf.zeros([n], 'int32'))
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [n, c] = logits.shape
  const onehot = tf.cast(tf.oneHot(targets, c), 'float32')
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const p = tf.softmax(z)
    // Saved, not closed over: tfjs disposes the forward pass's other tensors before the backward.
    save([p, onehot])
    const target = tf.sum(tf.mul(p, onehot), 1)
    return {
      value: tf.neg(tf.mean(tf.log(tf.add(target, MIN_PROBABILITY)))) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.sub(saved[0]!, saved[1]!), tf.div(dy, n)),
    }
  })
  return f(logits) as tf.Scalar
}
