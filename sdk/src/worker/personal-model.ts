/**
 * The personal model: the global model fine-tuned on this device's own sessions, kept in memory
 * and IndexedDB. Ranking uses the one it has at once; when the history has grown since, a new
 * fine-tune runs in the background and serves the rankings after it.
 */
import { KvKey, type EventStore } from '../store/event-store.js'
import type { DeviceHistory } from './history-cache.js'
import type { GlobalModel } from './model-cache.js'

export interface PersonalModel {
  readonly baseVersion: number
  /** {@link DeviceHistory.key} of the sessions it was trained on (absent in older records). */
  readonly historyKey?: string
  readonly weights: Float32Array
}

/** Quiet time after a ranking that found the personal model behind the history, before retraining. */
export const PERSONAL_REFRESH_DELAY_MS = 3000

/** Trains from the global model on the sessions; the caller owns the backend and its lock. */
export type FineTune = (model: GlobalModel, sessions: readonly number[][]) => Promise<Float32Array>

const trainable = (h: DeviceHistory): boolean => h.sessions.some((s) => s.length >= 2)

/**
 * @example
 * const personal = new PersonalModels(store, (model, sessions) => train(model, sessions))
 * const weights = await personal.weightsFor(model, history, () => latestHistory())
 */
export class PersonalModels {
  private current: PersonalModel | null = null
  /** Bumped by `drop()`: a fine-tune started before an erase is not kept. */
  private epoch = 0
  private tuning: { readonly model: GlobalModel; readonly run: Promise<Float32Array | null> } | null = null
  private refreshTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly store: EventStore,
    private readonly fineTune: FineTune,
  ) {}

  /** Reads the stored personal model (worker start). */
  async load(): Promise<void> {
    const p = await this.store.get<PersonalModel>(KvKey.PersonalModel)
    this.current = p && p.weights instanceof Float32Array && typeof p.baseVersion === 'number' ? p : null
  }

  /** Forgets the personal model in memory (the page erased it on the device) and any fine-tune in flight. */
  drop(): void {
    this.epoch++
    this.current = null
    this.tuning = null
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    this.refreshTimer = null
  }

  /** Keeps a personal model (after a fine-tune or a participation), unless an erase came since `epoch`. */
  async save(p: PersonalModel, epoch = this.epoch): Promise<void> {
    if (epoch !== this.epoch) return
    this.current = p
    await this.store.set(KvKey.PersonalModel, p)
  }

  /** For `save`: the erase count now. */
  get generation(): number {
    return this.epoch
  }

  /**
   * The weights to rank with for `model` after `history`, or null for the global ones (no
   * session long enough to learn from). A personal model of this global version is used as it
   * is, and retrained in the background if the history has changed since; without one (the
   * first personalisation, or a new global model) the fine-tune runs now.
   */
  async weightsFor(model: GlobalModel, history: DeviceHistory, latest: () => Promise<{ model: GlobalModel; history: DeviceHistory } | null>): Promise<Float32Array | null> {
    const p = this.current
    if (p && p.baseVersion === model.bundle.version && p.weights.length === model.bundle.weights.length) {
      if (p.historyKey !== history.key) this.refreshSoon(latest)
      return p.weights
    }
    if (!trainable(history)) return null
    return this.tune(model, history)
  }

  /** One fine-tune per global model at a time; callers in the meantime share it. */
  private tune(model: GlobalModel, history: DeviceHistory): Promise<Float32Array | null> {
    if (this.tuning?.model === model) return this.tuning.run
    const epoch = this.epoch
    const run = (async () => {
      const weights = await this.fineTune(model, history.sessions)
      await this.save({ baseVersion: model.bundle.version, historyKey: history.key, weights }, epoch)
      return epoch === this.epoch ? weights : null
    })()
    const entry = { model, run }
    this.tuning = entry
    const done = () => {
      if (this.tuning === entry) this.tuning = null
    }
    run.then(done, done)
    return run
  }

  /** Retrains after a quiet moment, on the history and model of that moment. */
  private refreshSoon(latest: () => Promise<{ model: GlobalModel; history: DeviceHistory } | null>): void {
    if (this.refreshTimer || this.tuning) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null
      void (async () => {
        const now = await latest()
        if (!now || !trainable(now.history)) return
        const p = this.current
        if (p && p.baseVersion === now.model.bundle.version && p.historyKey === now.history.key) return
        await this.tune(now.model, now.history)
      })().catch((e: unknown) => console.info('[fedrec] background personalisation failed; ranking keeps the previous personal model', e))
    }, PERSONAL_REFRESH_DELAY_MS)
  }
}
