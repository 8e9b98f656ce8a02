/** The gradients of the session model's kernels (model-kernels.ts): the worker registers only these. */
import type { GradConfig } from '@tensorflow/tfjs-core'
import { addGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Add_grad'
import { addNGradConfig } from '@tensorflow/tfjs-core/dist/gradients/AddN_grad'
import { batchMatMulGradConfig } from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad'
import { castGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Cast_grad'
import { concatGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Concat_grad'
import { expGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Exp_grad'
import { gatherGradConfig } from '@tensorflow/tfjs-core/dist/gradients/GatherV2_grad'
import { identityGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Identity_grad'
import { logGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Log_grad'
import { maxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Max_grad'
import { meanGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Mean_grad'
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad'
import { negGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Neg_grad'
import { oneHotGradConfig } from '@tensorflow/tfjs-core/dist/gradients/OneHot_grad'
import { padV2GradConfig } from '@tensorflow/tfjs-core/dist/gradients/PadV2_grad'
import { divGradConfig } from '@tensorflow/tfjs-core/dist/gradients/RealDiv_grad'
import { reshapeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Reshape_grad'
import { selectGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Select_grad'
import { sigmoidGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sigmoid_grad'
import { sliceGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Slice_grad'
import { softmaxGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Softmax_grad'
import { splitVGradConfig } from '@tensorflow/tfjs-core/dist/gradients/SplitV_grad'
import { sqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sqrt_grad'
import { squareGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Square_grad'
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad'
import { sumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sum_grad'
import { tanhGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tanh_grad'
import { tileGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tile_grad'
import { transposeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Transpose_grad'
import { unsortedSegmentSumGradConfig } from '@tensorflow/tfjs-core/dist/gradients/UnsortedSegmentSum_grad'
import { zerosLikeGradConfig } from '@tensorflow/tfjs-core/dist/gradients/ZerosLike_grad'

import { registerGradients } from './model-kernels.js'

/** The gradient of every kernel in MODEL_KERNELS that has one (Equal, Fill, Greater and LogicalNot have none). */
export const GRADIENTS: readonly GradConfig[] = [
  addGradConfig,
  addNGradConfig,
  batchMatMulGradConfig,
  castGradConfig,
  concatGradConfig,
  expGradConfig,
  gatherGradConfig,
  identityGradConfig,
  logGradConfig,
  maxGradConfig,
  meanGradConfig,
  multiplyGradConfig,
  negGradConfig,
  oneHotGradConfig,
  padV2GradConfig,
  divGradConfig,
  reshapeGradConfig,
  selectGradConfig,
  sigmoidGradConfig,
  sliceGradConfig,
  softmaxGradConfig,
  splitVGradConfig,
  sqrtGradConfig,
  squareGradConfig,
  subGradConfig,
  sumGradConfig,
  tanhGradConfig,
  tileGradConfig,
  transposeGradConfig,
  unsortedSegmentSumGradConfig,
  zerosLikeGradConfig,
]

registerGradients(GRADIENTS)
