/**
 * Drives the persisted upload queue in the worker: sends a new update at once, and retries what
 * is pending on a timer (and when a new worker starts, e.g. the shopper's next page view).
 */
import type { RoundConfig } from '../../../aggregator/src/index.js'
import type { UploadOutcome, UploadQueue } from './upload-queue.js'

/** Called for each outcome of a background retry (not for the first attempt, which `submit` returns). */
export type OutcomeHandler = (o: UploadOutcome) => Promise<void>

/**
 * @example
 * const runner = new UploadRunner(queue, async (o) => { if (o.status === 'sent') await recordSent(o.upload) })
 * runner.resume()
 */
export class UploadRunner {
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly queue: UploadQueue,
    private readonly onBackground: OutcomeHandler,
  ) {}

  /** Persists and sends one update; a failure that may pass leaves it queued for the timer. */
  async submit(round: RoundConfig, body: Uint8Array): Promise<UploadOutcome> {
    const outcome = await this.queue.submit({ round, body })
    await this.schedule()
    return outcome
  }

  /** Retries whatever is due now and schedules the rest. Never throws. */
  resume(): void {
    void this.run()
  }

  private async run(): Promise<void> {
    try {
      for (const o of await this.queue.drain()) await this.onBackground(o)
      await this.schedule()
    } catch (e) {
      console.info('[fedrec] upload retry failed; will try again on the next page view', e)
    }
  }

  private async schedule(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const due = await this.queue.nextDue()
    if (due === null) return
    this.timer = setTimeout(() => this.resume(), Math.max(0, due - Date.now()))
  }
}
