/** The cpu backend with only the session model's kernels (model-kernels.ts): a lazy chunk of backend.ts. */
import '@tensorflow/tfjs-backend-cpu/dist/base'
import type { KernelConfig } from '@tensorflow/tfjs-core'
import { addConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Add'
import { addNConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/AddN'
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul'
import { castConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Cast'
import { concatConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Concat'
import { equalConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Equal'
import { expConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Exp'
import { fillConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Fill'
import { gatherV2Config } from '@tensorflow/tfjs-backend-cpu/dist/kernels/GatherV2'
import { greaterConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Greater'
import { identityConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Identity'
import { logConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Log'
import { logicalNotConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/LogicalNot'
import { maxConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Max'
import { meanConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Mean'
import { multiplyConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Multiply'
import { negConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Neg'
import { oneHotConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/OneHot'
import { padV2Config } from '@tensorflow/tfjs-backend-cpu/dist/kernels/PadV2'
import { realDivConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/RealDiv'
import { reshapeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape'
import { selectConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Select'
import { sigmoidConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sigmoid'
import { sliceConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Slice'
import { softmaxConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Softmax'
import { splitVConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/SplitV'
import { sqrtConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sqrt'
import { squareConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Square'
import { subConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sub'
import { sumConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sum'
import { tanhConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Tanh'
import { tileConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Tile'
import { transposeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Transpose'
import { zerosLikeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ZerosLike'

import { cpuSegmentSumConfig } from './js-kernels.js'
import { registerKernels } from './model-kernels.js'

/**
 * {@link MODEL_KERNELS} for cpu (model-kernels.test.ts checks the match); UnsortedSegmentSum is
 * ours (js-kernels.ts: tfjs's is quadratic).
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
  cpuSegmentSumConfig,
  zerosLikeConfig,
]

registerKernels(KERNELS)
