import { describe, expect, it } from 'vitest'
import type { RoundConfig } from '../../../aggregator/src/index.js'
import { MemoryStore } from '../store/event-store.js'
import { UploadQueue, type SendUpload } from './upload-queue.js'

/** A send that plays back scripted answers: a status, or 'offline' for a network error. */
function scripted(answers: (number | 'offline')[], headers: Record<string, string> = {}): { send: SendUpload; bodies: Uint8Array[] } {
  const bodies: Uint8Array[] = []
  return {
    bodies,
    send: async (body) => {
      bodies.push(body)
      const a = answers.shift() ?? 202
      if (a === 'offline') throw new TypeError('Failed to fetch')
      return new Response(JSON.stringify(a < 300 ? { status: 'accepted' } : { error: { reason: a === 409 ? 'round_closed' : 'x', message: 'm' } }), { status: a, headers })
    },
  }
}

const round = (roundId: number, deadline: number): RoundConfig => ({ roundId, deadline, modelVersion: 0, clipNorm: 1, noiseMultiplier: 1, noiseMode: 'local', minClients: 1, expectedClients: 1, serverLearningRate: 1, sampleRate: 1 })

describe('upload queue', () => {
  const body = Uint8Array.of(1, 2, 3)

  it('retries network errors and 5xx with full-jitter exponential backoff, then delivers the same bytes', async () => {
    let now = 1_000
    const { send, bodies } = scripted(['offline', 503, 'offline', 202])
    const q = new UploadQueue(new MemoryStore(), send, { baseMs: 1000, capMs: 5000, now: () => now, random: () => 0.999 })
    const first = await q.submit({ round: round(3, 1e9), body })
    expect(first).toMatchObject({ status: 'retrying', delayMs: 1998 })
    const delays = [first.status === 'retrying' ? first.delayMs : -1]
    for (;;) {
      now = (await q.nextDue())!
      const [o] = await q.drain()
      if (o!.status !== 'retrying') break
      delays.push(o!.delayMs)
    }
    // Ceilings 2 s, 4 s, then capped at 5 s; random() just below 1 draws just below each ceiling.
    expect(delays).toEqual([1998, 3996, 4995])
    expect(bodies).toHaveLength(4)
    expect(bodies.every((b) => b === body)).toBe(true)
    expect(await q.pending()).toEqual([])
  })

  it('draws each delay uniformly below its ceiling (jitter)', () => {
    const draws = [0, 0.25, 0.5]
    const q = new UploadQueue(new MemoryStore(), scripted([]).send, { baseMs: 1000, capMs: 60_000, random: () => draws.shift()! })
    expect([q.backoffMs(3), q.backoffMs(3), q.backoffMs(3)]).toEqual([0, 2000, 4000])
    expect(new UploadQueue(new MemoryStore(), scripted([]).send, { baseMs: 1000, capMs: 60_000, random: () => 0.5 }).backoffMs(20)).toBe(30_000)
  })

  it('waits at least the Retry-After of a 429', async () => {
    const q = new UploadQueue(new MemoryStore(), scripted([429], { 'retry-after': '30' }).send, { baseMs: 1000, random: () => 0 })
    expect(await q.submit({ round: round(1, Date.now() + 1e6), body })).toMatchObject({ status: 'retrying', delayMs: 30_000 })
  })

  it('keeps a pending upload in the store, so a new worker (tab) resumes it', async () => {
    const store = new MemoryStore()
    await new UploadQueue(store, scripted(['offline']).send, { random: () => 0 }).submit({ round: round(5, Date.now() + 1e6), body })
    const { send, bodies } = scripted([202])
    const resumed = new UploadQueue(store, send)
    expect(await resumed.drain()).toMatchObject([{ status: 'sent', upload: { round: { roundId: 5 } } }])
    expect(bodies).toEqual([body])
    expect(await resumed.pending()).toEqual([])
  })

  it('discards an update whose round closed — at the deadline or by the server — and never sends it again', async () => {
    let now = 0
    const late = scripted(['offline'])
    const q = new UploadQueue(new MemoryStore(), late.send, { now: () => now, random: () => 0 })
    await q.submit({ round: round(8, 100), body })
    now = 101
    expect(await q.drain()).toMatchObject([{ status: 'discarded', detail: expect.stringContaining('round 8 closed') }])
    expect(late.bodies).toHaveLength(1)
    expect(await q.drain()).toEqual([])

    const closed = scripted([409])
    const q2 = new UploadQueue(new MemoryStore(), closed.send)
    expect(await q2.submit({ round: round(9, Date.now() + 1e6), body })).toMatchObject({ status: 'discarded', detail: expect.stringContaining('409') })
    expect(await q2.pending()).toEqual([])
  })

  it('gives up after maxAttempts', async () => {
    let now = 0
    const q = new UploadQueue(new MemoryStore(), scripted(['offline', 'offline', 'offline']).send, { maxAttempts: 3, now: () => now, random: () => 0 })
    await q.submit({ round: round(1, 1e9), body })
    now = 1
    await q.drain()
    expect(await q.drain()).toMatchObject([{ status: 'discarded', detail: expect.stringContaining('gave up after 3') }])
  })
})
