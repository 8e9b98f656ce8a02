/** Picks the first tfjs backend that initialises, in the order webgpu → webgl → wasm → cpu. */
import * as tf from '@tensorflow/tfjs-core'

export const Backend = { WebGPU: 'webgpu', WebGL: 'webgl', Wasm: 'wasm', Cpu: 'cpu' } as const
export type Backend = (typeof Backend)[keyof typeof Backend]
export const BACKEND_ORDER: readonly Backend[] = ['webgpu', 'webgl', 'wasm', 'cpu']

/** One try at a backend, kept so the page can show why a faster one was not used. */
export interface BackendAttempt {
  readonly backend: Backend
  readonly ok: boolean
  readonly error?: string
}

/**
 * Backends are imported lazily, each in its own chunk, so a device downloads only the one it
 * uses (plus the ones that failed before it).
 */
async function load(backend: Backend, wasmBase: string): Promise<void> {
  switch (backend) {
    case 'webgpu':
      if (!('gpu' in navigator) || !(await (navigator as Navigator & { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter())) {
        throw new Error('no WebGPU adapter')
      }
      await import('@tensorflow/tfjs-backend-webgpu')
      return
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl')
      return
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm')
      wasm.setWasmPaths(wasmBase)
      return
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu')
      return
  }
}

/**
 * Initialises the first backend of `order` that works, checking each with a small computation.
 * @example const { backend, attempts } = await selectBackend(BACKEND_ORDER, '/sdk/wasm/')
 */
export async function selectBackend(order: readonly Backend[], wasmBase: string): Promise<{ backend: Backend; attempts: BackendAttempt[] }> {
  const attempts: BackendAttempt[] = []
  for (const backend of order) {
    try {
      await load(backend, wasmBase)
      if (!(await tf.setBackend(backend))) throw new Error('setBackend returned false')
      await tf.ready()
      const probe = tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]))
      const v = await probe.data()
      probe.dispose()
      if (v[0] !== 2) throw new Error(`probe computed ${v[0]} instead of 2`)
      attempts.push({ backend, ok: true })
      return { backend, attempts }
    } catch (e) {
      attempts.push({ backend, ok: false, error: e instanceof Error ? e.message : String(e) })
    }
  }
  throw new Error(`no tfjs backend initialised: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`)
}
