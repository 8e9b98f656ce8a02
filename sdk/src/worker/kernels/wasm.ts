/** The WebAssembly backend with only the session model's kernels (model-kernels.ts): a lazy chunk of backend.ts. */
import '@tensorflow/tfjs-backend-wasm/dist/base'
import type { KernelConfig } from '@tensorflow/tfjs-core'
import { addConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Add'
import { addNConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/AddN'
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/BatchMatMul'
import { castConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cast'
import { concatConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Concat'
import { equalConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Equal'
import { expConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Exp'
import { fillConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Fill'
import { gatherV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/GatherV2'
import { greaterConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Greater'
import { identityConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity'
import { logConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Log'
import { logicalNotConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/LogicalNot'
import { maxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Max'
import { meanConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mean'
import { multiplyConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Multiply'
import { negConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Neg'
import { oneHotConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/OneHot'
import { padV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/PadV2'
import { realDivConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/RealDiv'
import { reshapeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape'
import { selectConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Select'
import { sigmoidConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sigmoid'
import { sliceConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Slice'
import { softmaxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Softmax'
import { splitVConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/SplitV'
import { sqrtConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sqrt'
import { squareConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Square'
import { subConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sub'
import { sumConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sum'
import { tanhConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Tanh'
import { tileConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Tile'
import { transposeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Transpose'
import { zerosLikeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ZerosLike'

import { wasmGatherRowsConfig, wasmSegmentSumConfig } from './js-kernels.js'
import { registerKernels } from './model-kernels.js'

export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base'

/**
 * {@link MODEL_KERNELS} for WebAssembly (model-kernels.test.ts checks the match); UnsortedSegmentSum,
 * which tfjs-backend-wasm lacks, and the row gather are ours (js-kernels.ts).
 */
export const KERNELS: readonly KernelConfig[] = [
  addConfig,
  addNConfig,
  batchMatMulConfig,
  castConfig,
  concatConfig,
  equalConfig,
  expConfig,
  fillConfig,
  wasmGatherRowsConfig(gatherV2Config),
  greaterConfig,
  identityConfig,
  logConfig,
  logicalNotConfig,
  maxConfig,
  meanConfig,
  multiplyConfig,
  negConfig,
  oneHotConfig,
  padV2Config,
  realDivConfig,
  reshapeConfig,
  selectConfig,
  sigmoidConfig,
  sliceConfig,
  softmaxConfig,
  splitVConfig,
  sqrtConfig,
  squareConfig,
  subConfig,
  sumConfig,
  tanhConfig,
  tileConfig,
  transposeConfig,
  wasmSegmentSumConfig,
  zerosLikeConfig,
]

registerKernels(KERNELS)
