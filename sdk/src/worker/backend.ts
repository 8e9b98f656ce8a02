/** Picks the first tfjs backend that initialises, in the order webgpu → webgl → wasm → cpu. */
import * as tf from '@tensorflow/tfjs-core'

import type { Backend, BackendAttempt } from './backend-kinds.js'

export { Backend, BACKEND_ORDER, slowBackendWarning } from './backend-kinds.js'
export type { BackendAttempt } from './backend-kinds.js'

/**
 * Backends are imported lazily, each in its own chunk, so a device downloads only the one it
 * uses (plus the ones that failed before it). Each chunk is the backend's base with only the
 * session model's kernels registered (kernels/model-kernels.ts), not tfjs's hundreds.
 */
async function load(backend: Backend, wasmBase: string): Promise<void> {
  switch (backend) {
    case 'webgpu':
      if (!('gpu' in navigator) || !(await (navigator as Navigator & { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter())) {
        throw new Error('no WebGPU adapter')
      }
      await import('./kernels/webgpu.js')
      return
    case 'webgl':
      await import('./kernels/webgl.js')
      return
    case 'wasm': {
      const wasm = await import('./kernels/wasm.js')
      wasm.setWasmPaths(wasmBase)
      return
    }
    case 'cpu':
      await import('./kernels/cpu.js')
      return
  }
}

/**
 * One gradient step through the kernels the session model needs (row lookup, matMul, tanh,
 * softmax cross-entropy, their gradients): a backend that initialises but cannot train fails
 * here, not in the middle of a shopper's participation.
 * @example await probeTraining() // throws if the current backend cannot train
 */
export async function probeTraining(): Promise<void> {
  const w = tf.variable(tf.tensor2d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [3, 2]), true)
  try {
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const x = tf.gather(w, tf.tensor1d([0, 2], 'int32'))
        const logits = tf.matMul(tf.tanh(x), w, false, true)
        return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 0], 'int32'), 3), logits)
      }, [w]),
    )
    const [loss, grad] = await Promise.all([value.data(), grads[w.name]!.data()])
    tf.dispose([value, ...Object.values(grads)])
    if (!Number.isFinite(loss[0]) || !grad.every(Number.isFinite) || grad.every((g) => g === 0)) {
      throw new Error(`training probe computed loss ${loss[0]} and gradient [${Array.from(grad).join(', ')}]`)
    }
  } finally {
    w.dispose()
  }
}

/**
 * Initialises the first backend of `order` that works, checking each with one training step.
 * `trusted`: a backend this device chose before with the same order (backend-choice.ts); it is
 * initialised without the probe, and only if that fails is the whole order probed.
 * @example const { backend, attempts } = await selectBackend(BACKEND_ORDER, '/sdk/wasm/')
 */
export async function selectBackend(order: readonly Backend[], wasmBase: string, trusted?: Backend): Promise<{ backend: Backend; attempts: BackendAttempt[]; probed: boolean }> {
  const attempts: BackendAttempt[] = []
  if (trusted !== undefined && order.includes(trusted)) {
    try {
      await load(trusted, wasmBase)
      if (!(await tf.setBackend(trusted))) throw new Error('setBackend returned false')
      await tf.ready()
      return { backend: trusted, attempts, probed: false }
    } catch (e) {
      attempts.push({ backend: trusted, ok: false, error: `chosen before, failed now: ${e instanceof Error ? e.message : String(e)}` })
    }
  }
  for (const backend of order) {
    try {
      await load(backend, wasmBase)
      if (!(await tf.setBackend(backend))) throw new Error('setBackend returned false')
      await tf.ready()
      await probeTraining()
      attempts.push({ backend, ok: true })
      return { backend, attempts, probed: true }
    } catch (e) {
      attempts.push({ backend, ok: false, error: e instanceof Error ? e.message : String(e) })
    }
  }
  throw new Error(`no tfjs backend initialised: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`)
}
