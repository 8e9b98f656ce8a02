/**
 * Persisted queue of encoded updates waiting for the edge's 202 (kept in IndexedDB under its own
 * kv key, so an upload survives a closed tab or a lost connection). Failures that may pass —
 * network errors, 5xx, 408, 429 — are retried with "full jitter" exponential backoff (delay
 * uniform in [0, min(cap, base·2^attempt)], Brooker, "Exponential Backoff and Jitter", AWS
 * Architecture Blog 2015; Segment's analytics clients persist and retry the same way), at least
 * the server's Retry-After. An update is bound to its round: once the round's deadline has
 * passed, or the server says the round is closed or refuses the payload, it is discarded —
 * never re-addressed to a later round, whose model it was not computed on.
 */
import type { RoundConfig } from '../../../aggregator/src/index.js'
import { KvKey, type EventStore } from '../store/event-store.js'

/** One encoded update and its delivery state. */
export interface QueuedUpload {
  readonly id: string
  /** The round the update was computed for; its deadline (Unix ms) ends the update's life. */
  readonly round: RoundConfig
  readonly body: Uint8Array
  readonly attempts: number
  /** Unix ms before which the next attempt must not start. */
  readonly nextAt: number
}

export type UploadOutcome =
  | { readonly status: 'sent'; readonly upload: QueuedUpload }
  | { readonly status: 'retrying'; readonly upload: QueuedUpload; readonly delayMs: number; readonly detail: string }
  | { readonly status: 'discarded'; readonly upload: QueuedUpload; readonly detail: string }

export interface UploadQueueOptions {
  /** First backoff ceiling, ms. */
  readonly baseMs: number
  /** Largest backoff ceiling, ms. */
  readonly capMs: number
  /** Attempts before an update is given up (its round would be long closed anyway). */
  readonly maxAttempts: number
  readonly now: () => number
  /** Uniform in [0, 1). */
  readonly random: () => number
}

export const UPLOAD_QUEUE_DEFAULTS: UploadQueueOptions = { baseMs: 2_000, capMs: 120_000, maxAttempts: 10, now: () => Date.now(), random: () => Math.random() }

/** Sends one body; resolves with the answer, rejects on a network failure. */
export type SendUpload = (body: Uint8Array) => Promise<Response>

/** Statuses worth retrying: the request may succeed later unchanged. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429
}

/**
 * @example
 * const q = new UploadQueue(store, (body) => apiFetch(base, 'v1/updates', { method: 'POST', body }))
 * const outcome = await q.submit({ round, body })
 */
export class UploadQueue {
  private readonly opts: UploadQueueOptions
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly store: EventStore,
    private readonly send: SendUpload,
    opts: Partial<UploadQueueOptions> = {},
  ) {
    this.opts = { ...UPLOAD_QUEUE_DEFAULTS, ...opts }
  }

  /** Full-jitter delay before attempt `attempts + 1`. */
  backoffMs(attempts: number): number {
    const ceiling = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** attempts)
    return Math.floor(this.opts.random() * ceiling)
  }

  /** Queue contents, oldest first. */
  async pending(): Promise<QueuedUpload[]> {
    return (await this.store.get<QueuedUpload[]>(KvKey.UploadQueue)) ?? []
  }

  /** Queue operations run one at a time, so two drains never send one update twice. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => undefined)
    return run
  }

  private async write(fn: (q: QueuedUpload[]) => QueuedUpload[]): Promise<void> {
    await this.store.set(KvKey.UploadQueue, fn(await this.pending()))
  }

  /** Persists the update, then tries to send it once. */
  submit(u: { readonly round: RoundConfig; readonly body: Uint8Array }): Promise<UploadOutcome> {
    return this.serial(async () => {
      const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
      const upload: QueuedUpload = { id, round: u.round, body: u.body, attempts: 0, nextAt: 0 }
      await this.write((q) => [...q, upload])
      return this.attempt(upload)
    })
  }

  /** Tries every update that is due; returns what happened to each. */
  drain(): Promise<UploadOutcome[]> {
    return this.serial(async () => {
      const now = this.opts.now()
      const out: UploadOutcome[] = []
      for (const u of await this.pending()) if (u.nextAt <= now) out.push(await this.attempt(u))
      return out
    })
  }

  /** Unix ms of the next due attempt, or null when the queue is empty. */
  async nextDue(): Promise<number | null> {
    const q = await this.pending()
    return q.length ? Math.min(...q.map((u) => u.nextAt)) : null
  }

  private async remove(u: QueuedUpload): Promise<void> {
    await this.write((q) => q.filter((x) => x.id !== u.id))
  }

  private async attempt(u: QueuedUpload): Promise<UploadOutcome> {
    if (this.opts.now() > u.round.deadline) {
      await this.remove(u)
      return { status: 'discarded', upload: u, detail: `round ${u.round.roundId} closed at its deadline before the update was delivered` }
    }
    let detail: string
    let minDelay = 0
    try {
      const res = await this.send(u.body)
      if (res.ok) {
        await this.remove(u)
        return { status: 'sent', upload: u }
      }
      const text = await res.text().catch(() => '')
      detail = `${res.status} ${text}`.trim()
      if (!retryable(res.status)) {
        // 409 round_closed / replay, 4xx rejections: sending the same bytes again cannot help.
        await this.remove(u)
        return { status: 'discarded', upload: u, detail }
      }
      minDelay = 1000 * (Number(res.headers.get('retry-after')) || 0)
    } catch (e) {
      detail = e instanceof Error ? e.message : String(e)
    }
    const attempts = u.attempts + 1
    if (attempts >= this.opts.maxAttempts) {
      await this.remove(u)
      return { status: 'discarded', upload: u, detail: `gave up after ${attempts} attempts: ${detail}` }
    }
    const delayMs = Math.max(minDelay, this.backoffMs(attempts))
    const next: QueuedUpload = { ...u, attempts, nextAt: this.opts.now() + delayMs }
    await this.write((q) => q.map((x) => (x.id === u.id ? next : x)))
    return { status: 'retrying', upload: next, delayMs, detail }
  }
}
