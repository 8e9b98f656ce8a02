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
 *   {@link firstColumnCrossEntropy} differentiates softmax cross-entropy directly.
 *
 * Every backend runs them (customGrad needs no kernel of its own), so the browser worker and the
 * Node evaluation train through the same code.
 */
import * as tf from '@tensorflow/tfjs-core'

/** What `tf.customGrad` passes its function: the inputs, then the function that saves tensors for the gradient. */
type CustomGradArgs = Array<tf.Tensor | tf.GradSaveFunc>

/**
 * `a` [m, k] × `b` [k, n]; the gradient transposes explicitly (dA = dY · bᵀ, dB = aᵀ · dY).
 * @example matMul(x, w) // the same values as tf.matMul(x, w)
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    save([x, y])
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D]
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ys)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]
      },
    }
  })
  return f(a, b) as tf.Tensor2D
}

/**
 * `a` [m, k] × `b`ᵀ for `b` [n, k] (session vectors against item vectors); the gradient
 * multiplies untransposed (dA = dY · b, dB = dYᵀ · a).
 * @example matMulBt(h, items) // the same values as tf.matMul(h, items, false, true)
 */
export function matMulBt(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    save([x, y])
    return {
      value: tf.matMul(x, tf.transpose(y)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D]
        return [tf.matMul(dy as tf.Tensor2D, ys), tf.matMul(tf.transpose(dy as tf.Tensor2D), xs)]
      },
    }
  })
  return f(a, b) as tf.Tensor2D
}

/** Probability below which the reported loss of an example is capped (−log of it ≈ 69). */
const MIN_PROBABILITY = 1e-30

/**
 * Mean softmax cross-entropy of logits [n, c] whose first column is each row's target:
 * −log softmax(z)[·, 0], with the gradient (softmax(z) − e₀) / n. The value is capped at
 * −log 1e-30 per row (a target that far behind has a gradient of e₀ − softmax either way).
 * @example firstColumnCrossEntropy(tf.concat([pos, negatives], 1))
 */
export function firstColumnCrossEntropy(logits: tf.Tensor2D): tf.Scalar {
  const f = tf.customGrad((...args: CustomGradArgs) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const [n, c] = z.shape
    const p = tf.softmax(z)
    save([p])
    const target = tf.slice(p, [0, 0], [n, 1])
    return {
      value: tf.neg(tf.mean(tf.log(tf.add(target, MIN_PROBABILITY)))) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const first = tf.pad(tf.ones([n, 1]), [
          [0, 0],
          [0, c - 1],
        ])
        return tf.mul(tf.sub(saved[0]!, first), tf.div(dy, n))
      },
    }
  })
  return f(logits) as tf.Scalar
}
