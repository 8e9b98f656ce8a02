import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryStore } from '../store/event-store.js'
import { clearTraining, markTraining, reportInterruptedTraining } from './training-marker.js'

describe('training marker', () => {
  afterEach(() => vi.restoreAllMocks())

  it('reports a training cut off before it cleared its mark, once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const store = new MemoryStore()
    await markTraining(store, 4)
    expect(await reportInterruptedTraining(store)).toBe(true)
    expect(await reportInterruptedTraining(store)).toBe(false)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/round 4 was interrupted/)
  })

  it('says nothing after a training that finished', async () => {
    const store = new MemoryStore()
    await markTraining(store, 4)
    await clearTraining(store)
    expect(await reportInterruptedTraining(store)).toBe(false)
  })
})
