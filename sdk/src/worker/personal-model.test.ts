import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KvKey, MemoryStore } from '../store/event-store.js'
import type { DeviceHistory } from './history-cache.js'
import type { GlobalModel } from './model-cache.js'
import { PERSONAL_REFRESH_DELAY_MS, PersonalModels, type PersonalModel } from './personal-model.js'

const model = (version: number): GlobalModel => ({
  bundle: { version, description: { layout: [], config: {}, vocab: [] }, weights: new Float32Array(4) },
  vocab: new Map(),
})
const history = (key: string, sessions: number[][] = [[1, 2]]): DeviceHistory => ({ events: [], sessions, context: sessions.flat(), key })

/** A fine-tune that records its calls and returns weights tagged with the call number. */
function trainer() {
  const calls: { version: number; sessions: readonly number[][] }[] = []
  let release: () => void = () => undefined
  let gate: Promise<void> | null = null
  return {
    calls,
    hold: () => (gate = new Promise((ok) => (release = ok))),
    release: () => release(),
    fineTune: async (m: GlobalModel, sessions: readonly number[][]) => {
      calls.push({ version: m.bundle.version, sessions })
      if (gate) await gate
      return Float32Array.of(calls.length, 0, 0, 0)
    },
  }
}

describe('PersonalModels', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('fine-tunes now when it has none for this global model, and keeps it', async () => {
    const store = new MemoryStore()
    const t = trainer()
    const p = new PersonalModels(store, t.fineTune)
    const m = model(3)
    const w = await p.weightsFor(m, history('k1'), async () => null)
    expect(Array.from(w!)).toEqual([1, 0, 0, 0])
    expect(await store.get<PersonalModel>(KvKey.PersonalModel)).toMatchObject({ baseVersion: 3, historyKey: 'k1' })
    expect(await p.weightsFor(m, history('k1'), async () => null)).toBe(w)
    expect(t.calls).toHaveLength(1)
    // A new global model: fine-tuned again from it.
    await p.weightsFor(model(4), history('k1'), async () => null)
    expect(t.calls.map((c) => c.version)).toEqual([3, 4])
  })

  it('uses the one it has when the history grew, and retrains in the background after a quiet moment', async () => {
    const store = new MemoryStore()
    const t = trainer()
    const p = new PersonalModels(store, t.fineTune)
    const m = model(1)
    const first = await p.weightsFor(m, history('k1'), async () => null)
    const grown = history('k2', [[1, 2, 3]])
    expect(await p.weightsFor(m, grown, async () => ({ model: m, history: grown }))).toBe(first)
    expect(await p.weightsFor(m, grown, async () => ({ model: m, history: grown }))).toBe(first)
    expect(t.calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(PERSONAL_REFRESH_DELAY_MS)
    expect(t.calls).toHaveLength(2)
    expect(t.calls[1]!.sessions).toEqual([[1, 2, 3]])
    const next = await p.weightsFor(m, grown, async () => null)
    expect(Array.from(next!)).toEqual([2, 0, 0, 0])
    expect(await store.get<PersonalModel>(KvKey.PersonalModel)).toMatchObject({ baseVersion: 1, historyKey: 'k2' })
  })

  it('has nothing to learn from single-item sessions', async () => {
    const t = trainer()
    const p = new PersonalModels(new MemoryStore(), t.fineTune)
    expect(await p.weightsFor(model(0), history('k', [[1], [2]]), async () => null)).toBeNull()
    expect(t.calls).toHaveLength(0)
  })

  it('keeps nothing from a fine-tune that an erase overtook', async () => {
    const store = new MemoryStore()
    const t = trainer()
    const p = new PersonalModels(store, t.fineTune)
    t.hold()
    const pending = p.weightsFor(model(0), history('k'), async () => null)
    await vi.advanceTimersByTimeAsync(0)
    p.drop()
    t.release()
    expect(await pending).toBeNull()
    expect(await store.get(KvKey.PersonalModel)).toBeUndefined()
    // Nor a participation's weights trained before the erase.
    const before = p.generation
    p.drop()
    await p.save({ baseVersion: 0, historyKey: 'k', weights: new Float32Array(4) }, before)
    expect(await store.get(KvKey.PersonalModel)).toBeUndefined()
  })

  it('shares one fine-tune between callers and reloads what it stored', async () => {
    const store = new MemoryStore()
    const t = trainer()
    const p = new PersonalModels(store, t.fineTune)
    const m = model(2)
    const [a, b] = await Promise.all([p.weightsFor(m, history('k'), async () => null), p.weightsFor(m, history('k'), async () => null)])
    expect(a).toBe(b)
    expect(t.calls).toHaveLength(1)
    const again = new PersonalModels(store, t.fineTune)
    await again.load()
    expect(Array.from((await again.weightsFor(m, history('k'), async () => null))!)).toEqual([1, 0, 0, 0])
    expect(t.calls).toHaveLength(1)
  })
})
