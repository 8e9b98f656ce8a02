/**
 * Worker script of test/model-parity.test.ts: trains the SDK's session model (sdk/src/model, the
 * code the SDK's worker runs) on the backend it is told, and posts the weights back. Bundled by
 * esbuild in the test; not part of the SDK. It registers the SDK worker's own slim backends
 * (only the model's kernels and gradients: sdk/src/worker/kernels/), in the worker and in Node,
 * so the parity also shows the slim set trains like tfjs's.
 */
import '../../sdk/src/worker/kernels/cpu.js'
import '../../sdk/src/worker/kernels/webgl.js'
import '../../sdk/src/worker/kernels/gradients.js'
import * as tf from '@tensorflow/tfjs-core'
import { buildExamples, initWeights, SessionModel, type SessionModelConfig, type TrainOptions } from '../../sdk/src/model/index.js'

/** What the test asks a worker (and Node) to train. */
export interface ParityJob {
  readonly backend: string
  readonly cfg: SessionModelConfig
  readonly seed: number
  readonly sessions: number[][]
  readonly opts: TrainOptions
}

/** Trains from `initWeights(cfg, seed)`; the same function runs in Node and in the worker. */
export async function trainJob(job: ParityJob): Promise<{ backend: string; weights: Float32Array; losses: number[] }> {
  if (!(await tf.setBackend(job.backend))) throw new Error(`backend ${job.backend} did not initialise`)
  await tf.ready()
  const model = new SessionModel(job.cfg, initWeights(job.cfg, job.seed))
  try {
    const { epochLosses } = await model.train(buildExamples(job.sessions, job.cfg.maxLen), job.opts)
    return { backend: tf.getBackend(), weights: await model.getWeights(), losses: epochLosses }
  } finally {
    model.dispose()
  }
}

declare const self: { onmessage: ((e: { data: ParityJob }) => void) | null; postMessage(m: unknown): void } | undefined
if (typeof self !== 'undefined' && typeof (globalThis as { document?: unknown }).document === 'undefined' && typeof process === 'undefined') {
  self.onmessage = (e) => {
    trainJob(e.data).then(
      (r) => self.postMessage({ ok: true, ...r }),
      (err: unknown) => self.postMessage({ ok: false, error: String(err) }),
    )
  }
}
