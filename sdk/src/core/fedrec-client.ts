/** The page side of the SDK: records events, talks to the worker, ranks and renders. No tfjs here. */
import { wrap, type Remote } from 'comlink'
import { KvKey, MemoryStore, openEventStore, type EventStore } from '../store/event-store.js'
import type { Backend, BackendAttempt } from '../worker/backend.js'
import type { ConsentState, ParticipationResult, WorkerApi } from '../worker/worker-api.js'
import type { DevicePrivacyLedger, DevicePrivacyOptions, PrivacyStop, SentPayload } from '../worker/privacy-types.js'
import { renderList, type Candidate, type RankedItem, type RenderOptions } from '../widget/render-list.js'
import { normalizeEvent, type EventParams, type StoredEvent } from './ga4.js'

/** Options of {@link createFedrec}. */
export interface FedrecConfig {
  /** Base URL of the fedrec API (ending in '/'). Default: the origin's root. */
  readonly apiBase?: string
  /** Base URL where `fedrec-worker.js` and `wasm/` are served. Default: beside the SDK module. */
  readonly assetBase?: string
  /** Backends to try, in order. Default webgpu → webgl → wasm → cpu. */
  readonly backends?: readonly Backend[]
  /** Take part in rounds on idle when consent is granted. Default true. */
  readonly autoParticipate?: boolean
  /**
   * The device's privacy budget (ε, δ) after which it stops contributing, its participation cap
   * per period, and how many sent payloads it keeps. Default: no budget, 24 a day, 10 kept.
   */
  readonly privacy?: DevicePrivacyOptions
}

export interface FedrecStatus {
  readonly backend: Backend | null
  readonly backendAttempts: readonly BackendAttempt[]
  readonly modelVersion: number | null
  readonly consent: ConsentState
  readonly events: number
  readonly storage: 'indexeddb' | 'memory'
  /** ε spent so far (null: unbounded or unknown) and, once the budget is spent, why the device stopped. */
  readonly privacy: { readonly epsilon: number | null; readonly stopped: PrivacyStop | null } | null
}

interface WorkerState {
  readonly api: Remote<WorkerApi>
  backend: Backend
  readonly attempts: readonly BackendAttempt[]
  modelVersion: number | null
}

const defaults: { apiBase: string; autoParticipate: boolean } = { apiBase: '/', autoParticipate: true }

/** Seconds of quiet after the last event before an automatic participation attempt. */
const AUTO_PARTICIPATE_DELAY_MS = 5000

/**
 * One SDK instance per page.
 * @example
 * const fedrec = createFedrec({ apiBase: '/' })
 * fedrec.track('view_item', { items: [{ item_id: 'SKU-1' }] })
 * const ranked = await fedrec.rank(candidates)
 */
export class FedrecClient {
  readonly config: FedrecConfig & typeof defaults
  private readonly storeReady: Promise<{ store: EventStore; kind: 'indexeddb' | 'memory' }>
  private workerPromise: Promise<WorkerState | null> | null = null
  private pending: StoredEvent[] = []
  private flushing: Promise<void> | null = null
  private autoTimer: ReturnType<typeof setTimeout> | null = null

  constructor(config: FedrecConfig = {}) {
    this.config = { ...defaults, ...config }
    this.storeReady = openEventStore().then(
      (store) => ({ store, kind: 'indexeddb' as const }),
      (e: unknown) => {
        console.warn('[fedrec] IndexedDB is unavailable; keeping data in memory for this page only', e)
        return { store: new MemoryStore(), kind: 'memory' as const }
      },
    )
  }

  /** Records a GA4 event on this device. Never throws; bad input is reported in the console. */
  track(name: string, params?: EventParams): void {
    const ev = normalizeEvent(name, params)
    if (typeof ev === 'string') {
      console.warn(`[fedrec] event ignored: ${ev}`)
      return
    }
    this.pending.push(ev)
    // Writes are batched and made off the critical path of the page's own handlers.
    queueMicrotask(() => void this.flush())
  }

  /** Writes events recorded so far to the store. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length ? this.flush() : undefined))
    if (this.pending.length === 0) return Promise.resolve()
    const batch = this.pending
    this.pending = []
    this.flushing = this.storeReady
      .then(({ store }) => store.addEvents(batch))
      .catch((e: unknown) => console.warn('[fedrec] could not store events', e))
      .finally(() => {
        this.flushing = null
      })
    void this.flushing.then(() => this.scheduleAutoParticipation())
    return this.flushing
  }

  private scheduleAutoParticipation(): void {
    if (!this.config.autoParticipate) return
    if (this.autoTimer) clearTimeout(this.autoTimer)
    this.autoTimer = setTimeout(() => {
      void this.consent.state().then((c) => (c === 'granted' ? this.participate() : undefined)).catch(() => undefined)
    }, AUTO_PARTICIPATE_DELAY_MS)
  }

  private worker(): Promise<WorkerState | null> {
    this.workerPromise ??= (async () => {
      try {
        const assetBase = this.config.assetBase ?? new URL('.', import.meta.url).href
        const w = new Worker(new URL('fedrec-worker.js', assetBase), { type: 'module', name: 'fedrec' })
        const api = wrap<WorkerApi>(w)
        const apiBase = new URL(this.config.apiBase, location.href).href
        const started = await api.start({ apiBase, wasmBase: new URL('wasm/', assetBase).href, ...(this.config.backends ? { backends: [...this.config.backends] } : {}), ...(this.config.privacy ? { privacy: this.config.privacy } : {}) })
        return { api, backend: started.backend, attempts: started.attempts, modelVersion: started.modelVersion }
      } catch (e) {
        console.warn('[fedrec] on-device model unavailable; recommendations keep the page order', e)
        return null
      }
    })()
    return this.workerPromise
  }

  /**
   * Re-ranks the page's candidates by the on-device model. Unknown items keep their relative
   * order after the scored ones; without a model the page order is returned unchanged.
   */
  async rank<T extends Candidate>(candidates: readonly T[]): Promise<RankedItem<T>[]> {
    const plain = candidates.map((item) => ({ item, score: null }))
    try {
      await this.flush()
      const w = await this.worker()
      if (!w) return plain
      const { scores, modelVersion, backend } = await w.api.rank(candidates.map((c) => String(c.item_id)))
      w.modelVersion = modelVersion
      w.backend = backend
      const ranked = candidates.map((item, i) => ({ item, score: scores[i] ?? null, i }))
      ranked.sort((a, b) => (a.score === null ? (b.score === null ? a.i - b.i : 1) : b.score === null ? -1 : b.score - a.score || a.i - b.i))
      return ranked.map(({ item, score }) => ({ item, score }))
    } catch (e) {
      console.warn('[fedrec] ranking failed; keeping the page order', e)
      return plain
    }
  }

  /** Ranks and renders a widget into `target` (an element or a CSS selector). */
  async render(target: Element | string, opts: RenderOptions & { candidates: readonly Candidate[] }): Promise<RankedItem[]> {
    const el = typeof target === 'string' ? document.querySelector(target) : target
    if (!el) {
      console.warn(`[fedrec] render target ${String(target)} not found`)
      return []
    }
    const ranked = await this.rank(opts.candidates)
    const listId = opts.listId ?? 'for_you'
    renderList(el, ranked, opts, (item, index) => this.track('select_item', { item_list_id: listId, items: [{ ...item, index, item_list_id: listId }] }))
    return ranked
  }

  /** Trains on this device and sends one private update if the round samples this device. */
  async participate(): Promise<ParticipationResult> {
    await this.flush()
    const w = await this.worker()
    if (!w) return { status: 'skipped', reason: 'no_model', detail: 'worker unavailable' }
    return w.api.participate(await this.consent.state())
  }

  /** The shopper's consent to sending (never needed to record or train on the device). */
  readonly consent = {
    state: async (): Promise<ConsentState> => {
      const { store } = await this.storeReady
      return (await store.get<ConsentState>(KvKey.Consent)) ?? 'pending'
    },
    grant: async (): Promise<void> => {
      const { store } = await this.storeReady
      await store.set(KvKey.Consent, 'granted')
    },
    deny: async (): Promise<void> => {
      const { store } = await this.storeReady
      await store.clear()
      await store.set(KvKey.Consent, 'denied')
    },
  }

  /**
   * What this device has sent and what it cost, read from the worker.
   * @example
   * const { epsilon, budget, stopped } = await fedrec.privacy.ledger()
   * const last = (await fedrec.privacy.sentPayloads()).at(-1) // { roundId, bytes, ... }
   */
  readonly privacy = {
    /** The last payloads sent (oldest first), byte for byte; empty without a worker. */
    sentPayloads: async (): Promise<SentPayload[]> => {
      const w = await this.worker()
      return w ? w.api.sentPayloads() : []
    },
    /** The device's ledger: every round it drew a coin for, ε spent, budget, cap, why it stopped. */
    ledger: async (): Promise<DevicePrivacyLedger | null> => {
      const w = await this.worker()
      return w ? w.api.privacyLedger() : null
    },
  }

  async status(): Promise<FedrecStatus> {
    const { store, kind } = await this.storeReady
    const w = await this.worker()
    const ledger = w ? await w.api.privacyLedger().catch(() => null) : null
    return {
      backend: w?.backend ?? null,
      backendAttempts: w?.attempts ?? [],
      modelVersion: w?.modelVersion ?? null,
      consent: await this.consent.state(),
      events: await store.countEvents(),
      storage: kind,
      privacy: ledger && { epsilon: ledger.epsilon, stopped: ledger.stopped },
    }
  }
}

/** Creates the SDK instance for this page. */
export function createFedrec(config?: FedrecConfig): FedrecClient {
  return new FedrecClient(config)
}
