/**
 * tfjs for the Node evaluation harness: the pure-JS cpu backend with gradients registered, plus a
 * linear-time UnsortedSegmentSum kernel (the gradient of an embedding lookup) for cpu and wasm.
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

/**
 * tfjs-backend-cpu 4.22 computes UnsortedSegmentSum with one equal/cast/multiply/sum chain PER
 * SEGMENT, i.e. O(segments × rows) with four kernel launches per segment: the gradient of a
 * lookup into a 43k-row table took ~4 s per step here. This kernel is the same sum in one pass.
 */
function segmentSum(
  xv: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const rows = ids.length
  const width = rows === 0 ? 0 : xv.length / rows
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!
    if (s < 0 || s >= numSegments) continue // TensorFlow drops out-of-range ids too
    const o = s * width
    const i = r * width
    for (let k = 0; k < width; k++) out[o + k] += xv[i + k]!
  }
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap
  backend: tf.KernelBackend
  attrs: tf.NamedAttrMap
}

/** Output shape and size of UnsortedSegmentSum. */
function segmentShape(args: KernelArgs): { x: tf.TensorInfo; ids: tf.TensorInfo; shape: number[]; size: number } {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
  const shape = [args.attrs['numSegments'] as number, ...x.shape.slice(segmentIds.shape.length)]
  return { x, ids: segmentIds, shape, size: shape.reduce((a, b) => a * b, 1) }
}

/** The cpu kernel: reads and writes the backend's JS arrays. */
function cpuSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x, ids, shape, size } = segmentShape(args)
  const backend = args.backend as tf.KernelBackend & {
    data: { get(id: tf.DataId): { values: ArrayLike<number> } }
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo
  }
  const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size)
  segmentSum(backend.data.get(x.dataId).values, backend.data.get(ids.dataId).values, shape[0]!, out)
  return backend.makeTensorInfo(shape, x.dtype, out)
}

/**
 * The wasm kernel, which tfjs-backend-wasm 4.22 lacks altogether (../shared/PLATFORM.md): the
 * same loop in JS over the wasm heap.
 */
function wasmSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x, ids, shape, size } = segmentShape(args)
  const backend = args.backend as tf.KernelBackend & {
    readSync(id: tf.DataId): unknown
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array
  }
  const out = backend.makeOutput(shape, x.dtype)
  const heap = backend.typedArrayFromHeap(out)
  heap.fill(0, 0, size)
  segmentSum(backend.readSync(x.dataId) as Float32Array, backend.readSync(ids.dataId) as Int32Array, shape[0]!, heap)
  return out
}

/**
 * GatherV2 on wasm for what the session model gathers (rows of a table, axis 0, no batch dims):
 * tfjs-backend-wasm 4.22's kernel copied ~12M values a second here (2 ms for 768 rows of 32,
 * the largest share of a training step); this copy loop is over 50 times faster. Other
 * gathers go to the backend's own kernel.
 */
function wasmGatherRows(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo }
    const axis = attrs['axis'] as number
    const batchDims = attrs['batchDims'] as number
    if (axis !== 0 || batchDims !== 0 || x.shape.length === 0) return original(args)
    const backend = args.backend as tf.KernelBackend & {
      readSync(id: tf.DataId): unknown
      makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
      typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array
    }
    const rows = x.shape[0]!
    const width = x.shape.slice(1).reduce((a, b) => a * b, 1)
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype)
    const src = backend.readSync(x.dataId) as Float32Array | Int32Array
    const ids = backend.readSync(indices.dataId) as Int32Array
    const heap = backend.typedArrayFromHeap(out)
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!
      if (!(r >= 0 && r < rows)) throw new Error(`GatherV2: index ${r} is not in [0, ${rows})`)
      if (width === 1) heap[i] = src[r]!
      else heap.set(src.subarray(r * width, r * width + width), i * width)
    }
    return out
  }
}

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
    tf.unregisterKernel('UnsortedSegmentSum', 'cpu')
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'cpu', kernelFunc: cpuSegmentSum as tf.KernelFunc })
    if (backend === 'wasm') {
      const require = createRequire(import.meta.url)
      setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`)
      tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: wasmSegmentSum as tf.KernelFunc })
      const gather = tf.getKernel('GatherV2', 'wasm')
      if (gather === undefined) throw new Error('tfjs-backend-wasm has no GatherV2 kernel')
      tf.unregisterKernel('GatherV2', 'wasm')
      tf.registerKernel({ ...gather, kernelFunc: wasmGatherRows(gather.kernelFunc) })
    }
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`)
    return tf
  })()
  return ready
}
