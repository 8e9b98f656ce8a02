import { describe, expect, it } from 'vitest'
import { KvKey, MemoryStore } from '../store/event-store.js'
import { BACKEND_CHOICE_TTL_MS, loadBackendChoice, saveBackendChoice } from './backend-choice.js'
import { BACKEND_ORDER } from './backend-kinds.js'

describe('backend choice', () => {
  const attempts = [{ backend: 'webgpu', ok: false, error: 'no WebGPU adapter' }, { backend: 'webgl', ok: true }] as const

  it('is kept for the same order while recent', async () => {
    const store = new MemoryStore()
    await saveBackendChoice(store, { order: BACKEND_ORDER, backend: 'webgl', attempts, at: 1000 })
    expect(await loadBackendChoice(store, BACKEND_ORDER, 2000)).toMatchObject({ backend: 'webgl', attempts })
    expect(await loadBackendChoice(store, ['wasm', 'cpu'], 2000), 'another order probes again').toBeNull()
    expect(await loadBackendChoice(store, BACKEND_ORDER, 1000 + BACKEND_CHOICE_TTL_MS + 1), 'an old choice is probed again').toBeNull()
    expect(await loadBackendChoice(store, BACKEND_ORDER, 500), 'a choice from the future (clock set back)').toBeNull()
  })

  it('ignores a damaged record', async () => {
    const store = new MemoryStore()
    await store.set(KvKey.BackendChoice, { backend: 'webgl' })
    expect(await loadBackendChoice(store, BACKEND_ORDER)).toBeNull()
    await store.set(KvKey.BackendChoice, 'webgl')
    expect(await loadBackendChoice(store, BACKEND_ORDER)).toBeNull()
    await store.set(KvKey.BackendChoice, { order: BACKEND_ORDER, backend: 'metal', attempts: [], at: Date.now() })
    expect(await loadBackendChoice(store, BACKEND_ORDER)).toBeNull()
  })
})
