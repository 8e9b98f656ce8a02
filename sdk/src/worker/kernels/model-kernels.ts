/**
 * The tfjs kernels the session model runs, and the one place that says so: the worker registers
 * only these on each backend (cpu.ts, webgl.ts, wasm.ts, webgpu.ts) and only their gradients
 * (gradients.ts), instead of every kernel and gradient tfjs has (a custom tfjs bundle, as
 * https://www.tensorflow.org/js/tutorials/deployment/size_optimized_bundles describes).
 *
 * How the list was made: tfjs's engine was wrapped (`tf.engine().runKernel`) in Node on the cpu
 * backend while sdk/src/model trained full-softmax (Adam and SGD; with and without categories;
 * a compact table), sampled-softmax (compact and a row per item; Adam and SGD; length buckets)
 * and then scored, encoded, read and reset the weights; once with UnsortedSegmentSum registered
 * and once without (rows were then looked up by one-hot × table, as the wasm backend did until
 * it had a kernel of ours); plus the backend probe (backend.ts). model-kernels.test.ts trains all
 * of that again on a cpu backend that has only these kernels and gradients, so a model change
 * that needs another kernel fails there, naming it ("Kernel 'X' not registered" / "gradient
 * function not found for X").
 */
import { getGradient, getKernel, registerGradient, registerKernel, type GradConfig, type KernelConfig } from '@tensorflow/tfjs-core'

/** Every kernel the model, its gradients, Adam / SGD and the backend probe run. */
export const MODEL_KERNELS = [
  'Add',
  'AddN',
  'BatchMatMul',
  'Cast',
  'Concat',
  'Equal',
  'Exp',
  'Fill',
  'GatherV2',
  'Greater',
  'Identity',
  'Log',
  'LogicalNot',
  'Max',
  'Mean',
  'Multiply',
  'Neg',
  'OneHot',
  'PadV2',
  'RealDiv',
  'Reshape',
  'Select',
  'Sigmoid',
  'Slice',
  'Softmax',
  'SplitV',
  'Sqrt',
  'Square',
  'Sub',
  'Sum',
  'Tanh',
  'Tile',
  'Transpose',
  'UnsortedSegmentSum',
  'ZerosLike',
] as const

/**
 * Registers kernel (or gradient) configs that are not registered yet.
 * @example registerKernels([addConfig, subConfig])
 */
export function registerKernels(configs: readonly KernelConfig[]): void {
  for (const c of configs) if (getKernel(c.kernelName, c.backendName) === undefined) registerKernel(c)
}

/**
 * Registers gradient configs that are not registered yet.
 * @example registerGradients([addGradConfig])
 */
export function registerGradients(configs: readonly GradConfig[]): void {
  for (const c of configs) if (getGradient(c.kernelName) === undefined) registerGradient(c)
}
