/** The session model, its config, init and example building: shared by the worker and the eval harness. */
export { modelLayout, parseModelConfig } from './config.js'
export type { SessionModelConfig } from './config.js'
export { initWeights, mulberry32 } from './init-weights.js'
export { buildExamples, writePrefix } from './examples.js'
export type { Examples } from './examples.js'
export { SessionModel, defaultTrainOptions } from './session-model.js'
export type { TrainOptions, TrainResult } from './session-model.js'
