/** The tfjs backends by name and their preference order: plain data, so it costs no tfjs to import. */
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
 * The one warning for a device left on the cpu backend because every accelerated one failed
 * (no WebGPU, WebGL or WASM): recommendations still work, only slower. Null otherwise.
 * @example slowBackendWarning('cpu', [{ backend: 'webgl', ok: false, error: 'no context' }, { backend: 'cpu', ok: true }])
 */
export function slowBackendWarning(backend: Backend, attempts: readonly BackendAttempt[]): string | null {
  const failed = attempts.filter((a) => !a.ok)
  if (backend !== 'cpu' || failed.length === 0) return null
  return `[fedrec] no accelerated backend (${failed.map((a) => `${a.backend}: ${a.error ?? 'failed'}`).join('; ')}); training on cpu, which is slower`
}
