/**
 * tfjs for the Node evaluation harness: the pure-JS cpu backend with gradients registered, plus
 * the worker's own kernels for cpu and wasm (sdk/src/worker/kernels/js-kernels.ts: a linear-time
 * UnsortedSegmentSum, the gradient of an embedding lookup, and wasm's row gather).
 *
 * Why `@tensorflow/tfjs` and not tfjs-core's ESM files: under Node, tfjs-core's ESM build imports
 * a directory (`dist/gradients`), which Node's ESM resolver refuses (ERR_UNSUPPORTED_DIR_IMPORT).
 * `@tensorflow/tfjs` resolves to its CommonJS build, which registers the cpu backend and every
 * gradient; the engine and both registries are process globals, so `sdk/src/model`'s
 * `import * as tf from '@tensorflow/tfjs-core'` (also CommonJS under Node) sees them.
 */

import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { cpuSegmentSumConfig, replaceKernels, wasmGatherRowsConfig, wasmSegmentSumConfig } from '../../../sdk/src/worker/kernels/js-kernels.js'

let ready: Promise<typeof tf> | null = null

/** tfjs backends the harness can train on. */
export type NodeBackend = 'cpu' | 'wasm'

/**
 * The requested backend, ready for training (idempotent; the first call picks the backend).
 * `wasm` (tfjs-backend-wasm, loaded from node_modules) runs element-wise ops several times
 * faster than the pure-JS `cpu` backend; both give the same losses to float32 rounding.
 * @example const tf = await nodeTf('wasm')
 */
export function nodeTf(backend: NodeBackend = 'wasm'): Promise<typeof tf> {
  ready ??= (async () => {
    replaceKernels([cpuSegmentSumConfig])
    if (backend === 'wasm') {
      const require = createRequire(import.meta.url)
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`)
      const gather = tf.getKernel('GatherV2', 'wasm')
      if (gather === undefined) throw new Error('tfjs-backend-wasm has no GatherV2 kernel')
      replaceKernels([wasmSegmentSumConfig, wasmGatherRowsConfig(gather)])
    }
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`)
    return tf
  })()
  return ready
}
