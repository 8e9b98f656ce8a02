/**
 * Kernels written in plain TypeScript for the two CPU-side backends, where tfjs 4.22's own are
 * slow or missing. The worker registers them (cpu.ts, wasm.ts) and so does the Node evaluation
 * harness (scripts/eval/models/tf-node.ts), so both train at the same speed through the same code.
 *
 * - UnsortedSegmentSum, the gradient of `tf.gather` (every embedding lookup of the session
 *   model): tfjs-backend-cpu computes it with one equal / cast / multiply / sum chain per
 *   segment, O(segments × rows) through its slow broadcasting loop (14 ms for a [192, 8]
 *   gradient into 117 rows, 80 % of a training step of a dim-8 model; ~4 s per step for a
 *   43k-row table); tfjs-backend-wasm has none (../shared/PLATFORM.md). Here: one pass.
 * - GatherV2 on wasm for rows of a table (axis 0): tfjs-backend-wasm's kernel copied ~12M values
 *   a second (2 ms for 768 rows of 32, the largest share of a training step); a copy loop over
 *   the heap is over 50 times faster.
 */
import { getKernel, registerKernel, unregisterKernel, type BackendValues, type DataId, type DataType, type KernelBackend, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core'

/**
 * Adds row r of `xv` (rows of `xv.length / ids.length` values) into row `ids[r]` of `out`;
 * out-of-range ids are dropped, as TensorFlow's kernel does.
 * @example segmentSum([1, 2, 3, 4], [1, 1], 2, out) // out = [0, 0, 4, 6] for width 2
 */
export function segmentSum(xv: ArrayLike<number>, ids: ArrayLike<number>, numSegments: number, out: Float32Array | Int32Array): void {
  const rows = ids.length
  const width = rows === 0 ? 0 : xv.length / rows
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!
    if (!(s >= 0 && s < numSegments)) continue
    const o = s * width
    const i = r * width
    for (let k = 0; k < width; k++) out[o + k] += xv[i + k]!
  }
}

interface KernelArgs {
  inputs: NamedTensorInfoMap
  backend: KernelBackend
  attrs: NamedAttrMap
}

/** The inputs of UnsortedSegmentSum and the shape and size of its output. */
function segmentShape(args: KernelArgs): { x: TensorInfo; ids: TensorInfo; shape: number[]; size: number } {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo }
  const shape = [args.attrs['numSegments'] as number, ...x.shape.slice(segmentIds.shape.length)]
  return { x, ids: segmentIds, shape, size: shape.reduce((a, b) => a * b, 1) }
}

/** What the kernels use of tfjs-backend-cpu's MathBackendCPU. */
interface CpuBackend extends KernelBackend {
  data: { get(id: DataId): { values: ArrayLike<number> } }
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array | Int32Array): TensorInfo
}

/** What the kernels use of tfjs-backend-wasm's BackendWasm. */
interface WasmBackend extends KernelBackend {
  readSync(id: DataId): BackendValues
  makeOutput(shape: number[], dtype: DataType): TensorInfo
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array
}

/** UnsortedSegmentSum on the cpu backend: reads and writes the backend's JS arrays. */
export const cpuSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'cpu',
  kernelFunc: ((args: KernelArgs): TensorInfo => {
    const { x, ids, shape, size } = segmentShape(args)
    const backend = args.backend as CpuBackend
    const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size)
    segmentSum(backend.data.get(x.dataId).values, backend.data.get(ids.dataId).values, shape[0]!, out)
    return backend.makeTensorInfo(shape, x.dtype, out)
  }) as unknown as KernelFunc,
}

/** UnsortedSegmentSum on the wasm backend: the same loop in JS over the wasm heap. */
export const wasmSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs): TensorInfo => {
    const { x, ids, shape, size } = segmentShape(args)
    const backend = args.backend as WasmBackend
    const out = backend.makeOutput(shape, x.dtype)
    const heap = backend.typedArrayFromHeap(out)
    heap.fill(0, 0, size)
    segmentSum(backend.readSync(x.dataId) as Float32Array, backend.readSync(ids.dataId) as Int32Array, shape[0]!, heap)
    return out
  }) as unknown as KernelFunc,
}

/**
 * The wasm backend's GatherV2 with rows of a table (axis 0, no batch dims) copied in JS; every
 * other gather goes to `wasmGather`, the backend's own kernel. An index outside the table
 * throws, naming it.
 */
export function wasmGatherRowsConfig(wasmGather: KernelConfig): KernelConfig {
  const original = wasmGather.kernelFunc
  const kernelFunc = ((args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo }
    if (args.attrs['axis'] !== 0 || args.attrs['batchDims'] !== 0 || x.shape.length === 0) return original(args as Parameters<KernelFunc>[0])
    const backend = args.backend as WasmBackend
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
  }) as unknown as KernelFunc
  return { ...wasmGather, kernelFunc }
}

/**
 * Registers `configs` in place of the kernels of the same name and backend, for a backend that
 * registered tfjs's own (tfjs-backend-cpu's full import in Node, tfjs's wasm build).
 * @example replaceKernels([cpuSegmentSumConfig])
 */
export function replaceKernels(configs: readonly KernelConfig[]): void {
  for (const c of configs) {
    if (getKernel(c.kernelName, c.backendName) !== undefined) unregisterKernel(c.kernelName, c.backendName)
    registerKernel(c)
  }
}
