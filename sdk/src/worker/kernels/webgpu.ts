/** The WebGPU backend with only the session model's kernels (model-kernels.ts): a lazy chunk of backend.ts. */
import '@tensorflow/tfjs-backend-webgpu/dist/base'
import type { KernelConfig } from '@tensorflow/tfjs-core'
import { addConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Add'
import { addNConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/AddN'
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/BatchMatMul'
import { castConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Cast'
import { concatConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Concat'
import { equalConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Equal'
import { expConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Exp'
import { fillConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Fill'
import { gatherV2Config } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/GatherV2'
import { greaterConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Greater'
import { identityConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Identity'
import { logConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Log'
import { logicalNotConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/LogicalNot'
import { maxConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Max'
import { meanConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Mean'
import { multiplyConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Multiply'
import { negConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Neg'
import { oneHotConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/OneHot'
import { padV2Config } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/PadV2'
import { realDivConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/RealDiv'
import { reshapeConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Reshape'
import { selectConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Select'
import { sigmoidConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Sigmoid'
import { sliceConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Slice'
import { softmaxConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Softmax'
import { splitVConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/SplitV'
import { sqrtConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Sqrt'
import { squareConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Square'
import { subConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Sub'
import { sumConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Sum'
import { tanhConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Tanh'
import { tileConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Tile'
import { transposeConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Transpose'
import { unsortedSegmentSumConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/UnsortedSegmentSum'
import { zerosLikeConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/ZerosLike'

import { registerKernels } from './model-kernels.js'

/** {@link MODEL_KERNELS} for WebGPU (model-kernels.test.ts checks the match). */
export const KERNELS: readonly KernelConfig[] = [
  addConfig,
  addNConfig,
  batchMatMulConfig,
  castConfig,
  concatConfig,
  equalConfig,
  expConfig,
  fillConfig,
  gatherV2Config,
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
  unsortedSegmentSumConfig,
  zerosLikeConfig,
]

registerKernels(KERNELS)
