/** The page side of the SDK: records events, talks to the worker, recommends and renders. No tfjs here. */
import { wrap, type Remote } from 'comlink'
import type { PreferenceProfile } from '../profile/preference-profile.js'
import type { LocalDataExport } from '../privacy/local-data.js'
import { uploadBlocker, type PrivacySignal } from '../privacy/privacy-signals.js'
import { recentlyViewed, summarize } from '../recommend/history.js'
import type { RecommendQuery, RecommendType, ScoredItem } from '../recommend/types.js'
import type { OnDeviceScores } from '../scores/on-device-scores.js'
import { announceChange } from '../store/change-channel.js'
import { DEFAULT_LIMITS, KvKey, MemoryStore, openEventStore, StorageFullError, type EventStore } from '../store/event-store.js'
import type { Backend, BackendAttempt } from '../worker/backend-kinds.js'
import type { ConsentState, ParticipationResult, WorkerApi } from '../worker/worker-api.js'
import type { DevicePrivacyLedger, PrivacyStop, SentPayload } from '../worker/privacy-types.js'
import { renderList, type Candidate, type RankedItem, type Recommendation, type RenderOptions } from '../widget/render-list.js'
import { resolveBases, type FedrecConfig } from './config.js'
import { normalizeEvent, type EventParams, type Ga4Item, type StoredEvent } from './ga4.js'
import { watchRoutes } from './route-watcher.js'

export type { FedrecConfig } from './config.js'

export interface FedrecStatus {
  readonly backend: Backend | null
  readonly backendAttempts: readonly BackendAttempt[]
  readonly modelVersion: number | null
  /** What the shopper chose ('pending' until they choose). */
  readonly consent: ConsentState
  /** A browser signal (Global Privacy Control, Do Not Track) that blocks uploads whatever the consent. */
  readonly privacySignal: PrivacySignal | null
  /** Whether this device may send model updates now: consent granted and no blocking signal. */
  readonly uploadsAllowed: boolean
  readonly events: number
  readonly storage: 'indexeddb' | 'memory'
  /** ε spent so far (null: unbounded or unknown) and, once the budget is spent, why the device stopped. */
  readonly privacy: { readonly epsilon: number | null; readonly stopped: PrivacyStop | null } | null
}

/** What to recommend; see {@link FedrecClient.recommend}. */
export interface RecommendOptions<T extends Candidate = Candidate> {
  /** Default `for_you`. */
  readonly type?: RecommendType
  /** The anchor of `related` and `bought_together` (e.g. the product on the page). */
  readonly itemId?: string
  /** Several anchors (e.g. the cart for `bought_together`). */
  readonly itemIds?: readonly string[]
  /**
   * The shop's items to choose from, with the data to show. Without them the SDK recommends from
   * the global model's whole catalogue and fills in what the device's history knows of each item.
   */
  readonly candidates?: readonly T[]
  /** Item ids never to recommend. */
  readonly exclude?: readonly string[]
  /** Default 10 (all candidates for `for_you` with candidates). */
  readonly limit?: number
}

/** Options of {@link FedrecClient.render}: a list and how to show it. */
export type WidgetOptions<T extends Candidate = Candidate> = RecommendOptions<T> & RenderOptions<T>

interface WorkerState {
  readonly api: Remote<WorkerApi>
  readonly worker: Worker
  backend: Backend | null
  attempts: readonly BackendAttempt[]
  modelVersion: number | null
}

type StoreKind = 'indexeddb' | 'memory'

const defaults: { apiBase: string; autoParticipate: boolean } = { apiBase: '/', autoParticipate: true }

/** Seconds of quiet after the last event before an automatic participation attempt. */
const AUTO_PARTICIPATE_DELAY_MS = 5000

const warn = (...args: unknown[]): void => console.warn('[fedrec]', ...args)

/** Parts a page asks for only now and then (scores, profile, export, forget): a lazy core chunk. */
const onDemand = () => import('./on-demand.js')

/**
 * One SDK instance per page. Every method is safe to call from the page: failures are logged
 * with a `[fedrec]` prefix and answered with a fallback (the page order, an empty list), never
 * thrown into the page.
 * @example
 * const fedrec = createFedrec({ apiBase: '/' })
 * fedrec.track('view_item', { items: [{ item_id: 'SKU-1' }] })
 * const recs = await fedrec.recommend({ type: 'related', itemId: 'SKU-1', candidates })
 */
export class FedrecClient {
  readonly config: FedrecConfig & typeof defaults
  /** Opened on first use, so that after `forget()` nothing is written until the SDK is used again. */
  private storeP: Promise<{ store: EventStore; kind: StoreKind }> | null = null
  private workerPromise: Promise<WorkerState | null> | null = null
  private pending: StoredEvent[] = []
  private flushing: Promise<void> | null = null
  private autoTimer: ReturnType<typeof setTimeout> | null = null
  private consentNow: ConsentState | null = null
  /** Events were written since the worker last heard of it (it keeps the history in memory). */
  private eventsDirty = false
  private warnedMemory = false
  /** The latest render per target: an older render that finishes later does not overwrite it. */
  private readonly renders = new WeakMap<Element, { seq: number; stop?: () => void }>()
  private renderSeq = 0
  /** Elements holding a widget, so a route change can stop the ones the app removed. */
  private readonly mounted = new Set<Element>()

  constructor(config: FedrecConfig = {}) {
    this.config = { ...defaults, ...resolveBases(config) }
    void this.consent.state()
    try {
      // Single-page apps: a route change ends the widgets whose elements the app removed.
      if (typeof window !== 'undefined') watchRoutes(() => this.sweepWidgets())
    } catch (e) {
      warn('route changes will not be noticed', e)
    }
  }

  private get storeReady(): Promise<{ store: EventStore; kind: StoreKind }> {
    return (this.storeP ??= this.openStore())
  }

  private limits() {
    return {
      retentionMs: (this.config.retentionDays ?? DEFAULT_LIMITS.retentionMs / 86_400_000) * 86_400_000,
      maxEvents: this.config.maxEvents ?? DEFAULT_LIMITS.maxEvents,
    }
  }

  private openStore(): Promise<{ store: EventStore; kind: StoreKind }> {
    return openEventStore(this.limits()).then(
      (store) => ({ store, kind: 'indexeddb' as const }),
      (e: unknown) => ({ store: this.memoryStore(e, 'IndexedDB is unavailable'), kind: 'memory' as const }),
    )
  }

  /** The fallback store, announced once per page however many reasons lead to it. */
  private memoryStore(cause: unknown, why: string): MemoryStore {
    if (!this.warnedMemory) {
      this.warnedMemory = true
      warn(`${why}; keeping data in memory for this page only`, cause)
    }
    return new MemoryStore(this.limits())
  }

  /** Records a GA4 event on this device. Never throws; bad input is reported in the console. */
  track(name: string, params?: EventParams): void {
    try {
      const ev = normalizeEvent(name, params)
      if (typeof ev === 'string') {
        warn(`event ignored: ${ev}`)
        return
      }
      this.pending.push(ev)
      // Events of one task go to IndexedDB in one transaction, started after the page's handler.
      queueMicrotask(() => void this.flush())
    } catch (e) {
      warn('event ignored', e)
    }
  }

  /** Writes events recorded so far to the store. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length ? this.flush() : undefined))
    if (this.pending.length === 0) return Promise.resolve()
    const batch = this.pending
    this.pending = []
    this.flushing = this.writeBatch(batch)
      .catch((e: unknown) => warn('could not store events', e))
      .finally(() => {
        this.flushing = null
      })
    void this.flushing.then(() => this.scheduleAutoParticipation())
    return this.flushing
  }

  private async writeBatch(batch: StoredEvent[]): Promise<void> {
    const { store } = await this.storeReady
    try {
      await store.addEvents(batch)
    } catch (e) {
      if (!(e instanceof StorageFullError)) throw e
      await this.switchToMemory(store, e)
      await (await this.storeReady).store.addEvents(batch)
    }
    this.eventsDirty = true
    // Workers of the shop's other tabs keep the history in memory too.
    announceChange('events')
  }

  /** Out of quota even after dropping old events: go on in memory, with what was stored so far. */
  private async switchToMemory(from: EventStore, cause: unknown): Promise<void> {
    const mem = this.memoryStore(cause, 'the browser has no storage left')
    await mem.addEvents(await from.events().catch(() => []))
    for (const [k, v] of await from.entries().catch(() => [])) await mem.set(k, v)
    this.storeP = Promise.resolve({ store: mem, kind: 'memory' })
    from.close()
    // The worker reads IndexedDB itself: restart it on the memory copy.
    this.stopWorker()
  }

  private scheduleAutoParticipation(): void {
    if (!this.config.autoParticipate) return
    if (this.autoTimer) clearTimeout(this.autoTimer)
    this.autoTimer = setTimeout(() => {
      void this.uploadsAllowed().then((ok) => (ok ? this.participate() : undefined)).catch(() => undefined)
    }, AUTO_PARTICIPATE_DELAY_MS)
  }

  private worker(): Promise<WorkerState | null> {
    this.workerPromise ??= (async () => {
      let worker: Worker | undefined
      try {
        const { kind } = await this.storeReady
        const assetBase = this.config.assetBase ?? new URL('.', import.meta.url).href
        worker = new Worker(new URL('fedrec-worker.js', new URL(assetBase, location.href)), { type: 'module', name: 'fedrec' })
        const api = wrap<WorkerApi>(worker)
        const apiBase = new URL(this.config.apiBase, location.href).href
        const started = await api.start({ apiBase, wasmBase: new URL('wasm/', new URL(assetBase, location.href)).href, storage: kind, ...(this.config.backends ? { backends: [...this.config.backends] } : {}), ...(this.config.privacy ? { privacy: this.config.privacy } : {}) })
        return { api, worker, backend: started.backend, attempts: started.attempts, modelVersion: started.modelVersion }
      } catch (e) {
        worker?.terminate()
        warn('on-device model unavailable; recommendations keep the page order', e)
        return null
      }
    })()
    return this.workerPromise
  }

  /**
   * The worker, told first of the events written since its last call (it reads the history again
   * only then), or handed them where they live in memory only.
   */
  private async readyWorker(): Promise<WorkerState | null> {
    await this.flush()
    const w = await this.worker()
    const { store, kind } = await this.storeReady
    const changed = this.eventsDirty
    this.eventsDirty = false
    if (w && kind === 'memory') await w.api.ingest(await store.events())
    else if (w && changed) await w.api.eventsChanged()
    return w
  }

  private stopWorker(): void {
    const p = this.workerPromise
    this.workerPromise = null
    void p?.then((w) => w?.worker.terminate())
  }

  /**
   * Re-ranks the page's candidates by the on-device model. Unknown items keep their relative
   * order after the scored ones; without a model the page order is returned unchanged.
   */
  async rank<T extends Candidate>(candidates: readonly T[]): Promise<RankedItem<T>[]> {
    const plain = candidates.map((item) => ({ item, score: null }))
    try {
      const w = await this.readyWorker()
      if (!w) return plain
      const { scores, modelVersion, backend } = await w.api.rank(candidates.map((c) => String(c.item_id)))
      w.modelVersion = modelVersion
      w.backend = backend ?? w.backend
      const ranked = candidates.map((item, i) => ({ item, score: scores[i] ?? null, i }))
      ranked.sort((a, b) => (a.score === null ? (b.score === null ? a.i - b.i : 1) : b.score === null ? -1 : b.score - a.score || a.i - b.i))
      return ranked.map(({ item, score }) => ({ item, score }))
    } catch (e) {
      warn('ranking failed; keeping the page order', e)
      return plain
    }
  }

  /**
   * A recommendation list computed on this device, each item with its "why am I seeing this?"
   * explanation. `for_you`: the model over the shopper's recent history; `related` and
   * `bought_together`: to `itemId`; `trending`: the published popularity; `recently_viewed`:
   * the shopper's own views. A new shopper (or no model) gets the popularity order.
   * @example
   * const recs = await fedrec.recommend({ type: 'related', itemId: 'SKU-1', candidates, limit: 6 })
   * recs[0].reason.text // "Similar to Blue mug"
   */
  async recommend<T extends Candidate = Candidate>(opts: RecommendOptions<T> = {}): Promise<Recommendation<T>[]> {
    try {
      const type = opts.type ?? 'for_you'
      const candidates = opts.candidates
      const byId = new Map(candidates?.map((c) => [String(c.item_id), c]))
      const query: RecommendQuery = {
        type,
        itemIds: opts.itemIds ?? (opts.itemId !== undefined ? [opts.itemId] : []),
        ...(candidates ? { among: [...byId.keys()] } : {}),
        ...(opts.exclude ? { exclude: opts.exclude } : {}),
        limit: opts.limit ?? (candidates && type === 'for_you' ? candidates.length : 10),
      }
      const { store } = await this.storeReady
      let items: readonly ScoredItem[]
      if (type === 'recently_viewed') {
        // The device's own history: no model, no worker.
        await this.flush()
        items = recentlyViewed(summarize(await store.events()), query)
      } else {
        const w = await this.readyWorker()
        const res = w ? await w.api.recommend(query) : null
        if (w && res) w.modelVersion = res.modelVersion
        items = res?.items ?? (candidates ?? []).slice(0, query.limit).map((c) => ({ item_id: c.item_id, score: null, explanation: { kind: 'popular' as const, items: [], categories: [], text: 'Popular with shoppers' } }))
      }
      const details = candidates ? null : summarize(await store.events()).details
      return items.map((s, position) => ({
        item: (byId.get(s.item_id) ?? { ...details?.get(s.item_id), item_id: s.item_id }) as T,
        score: s.score,
        position,
        reason: s.explanation,
      }))
    } catch (e) {
      warn('recommendation failed', e)
      return []
    }
  }

  /**
   * Recommends and renders a widget into `target` (an element or a CSS selector). Impressions
   * (`view_item_list`, when the list is on screen) and clicks (`select_item`) are recorded on
   * this device with the list id and position.
   * @example fedrec.render('#for-you', { title: 'Recommended for you', candidates, explain: true })
   */
  async render<T extends Candidate = Candidate>(target: Element | string, opts: WidgetOptions<T>): Promise<Recommendation<T>[]> {
    try {
      const el = typeof target === 'string' ? document.querySelector(target) : target
      if (!el) {
        warn(`render target ${String(target)} not found`)
        return []
      }
      const seq = ++this.renderSeq
      const prev = this.renders.get(el)
      this.renders.set(el, { seq, ...(prev?.stop ? { stop: prev.stop } : {}) })
      const recs = await this.recommend(opts)
      const current = this.renders.get(el)
      // A newer render of the same element (the app moved on to another route) wins.
      if (current?.seq !== seq) return recs
      current.stop?.()
      const listId = opts.listId ?? opts.type ?? 'for_you'
      const stop = renderList(el, recs, { ...opts, listId }, {
        impression: (shown) => this.viewList(listId, shown),
        select: (rec, event) => {
          this.selectItem(listId, rec)
          opts.onSelect?.(rec, event)
        },
      })
      this.renders.set(el, { seq, stop })
      this.mounted.add(el)
      opts.onRender?.(recs, el.firstElementChild as HTMLElement)
      return recs
    } catch (e) {
      warn('render failed', e)
      return []
    }
  }

  /** Route change in a single-page app: stop watching widgets the app has removed from the page. */
  private sweepWidgets(): void {
    for (const el of this.mounted) {
      if (el.isConnected) continue
      this.renders.get(el)?.stop?.()
      this.renders.delete(el)
      this.mounted.delete(el)
    }
  }

  /**
   * Records that a list was shown (GA4 `view_item_list`), for pages that render themselves.
   * @example fedrec.viewList('related', recs)
   */
  viewList(listId: string, recs: readonly { readonly item: Candidate; readonly position: number }[]): void {
    this.track('view_item_list', { item_list_id: listId, items: recs.map((r) => listItem(r.item, r.position, listId)) })
  }

  /**
   * Records that the shopper picked an item of a list (GA4 `select_item`).
   * @example fedrec.selectItem('related', recs[2])
   */
  selectItem(listId: string, rec: { readonly item: Candidate; readonly position: number }): void {
    this.track('select_item', { item_list_id: listId, items: [listItem(rec.item, rec.position, listId)] })
  }

  /**
   * Purchase intent of this session and the shopper's return likelihood, for offers. Computed
   * here from the device's own events, kept on the device, never sent.
   * @example if ((await fedrec.scores()).purchaseIntent > 0.6) showFreeShipping()
   */
  async scores(): Promise<OnDeviceScores> {
    const [events, { computeScores }] = await Promise.all([this.events(), onDemand()])
    return computeScores(events)
  }

  /**
   * The shopper's preference profile: category and price-band affinities, for the shopper to see.
   * @example (await fedrec.profile()).categories[0] // { key: 'smartphones', weight: 0.6, events: 9 }
   */
  async profile(): Promise<PreferenceProfile> {
    const [events, { buildProfile }] = await Promise.all([this.events(), onDemand()])
    return buildProfile(events, this.config.priceBands ? { priceEdges: this.config.priceBands } : {})
  }

  private async events(): Promise<StoredEvent[]> {
    try {
      await this.flush()
      return await (await this.storeReady).store.events()
    } catch (e) {
      warn('could not read the history', e)
      return []
    }
  }

  /** Trains on this device and sends one private update if the round samples this device. */
  async participate(): Promise<ParticipationResult> {
    try {
      const w = await this.readyWorker()
      if (!w) return { status: 'skipped', reason: 'no_model', detail: 'worker unavailable' }
      const signal = uploadBlocker(typeof navigator === 'undefined' ? undefined : navigator)
      // Global Privacy Control and Do Not Track refuse uploads whatever the consent says.
      const consent = signal ? 'denied' : await this.consent.state()
      const r = await w.api.participate(consent)
      return signal && r.status === 'skipped' && r.reason === 'consent' ? { ...r, detail: `${signal === 'gpc' ? 'Global Privacy Control' : 'Do Not Track'} is on` } : r
    } catch (e) {
      warn('participation failed', e)
      return { status: 'skipped', reason: 'offline', detail: String(e) }
    }
  }

  private async uploadsAllowed(): Promise<boolean> {
    return uploadBlocker(typeof navigator === 'undefined' ? undefined : navigator) === null && (await this.consent.state()) === 'granted'
  }

  /**
   * The shopper's consent to sending model updates. Until they choose it is `pending`: the SDK
   * records and trains on the device and sends nothing. `deny()` refuses uploads and erases the
   * history recorded so far with the personal model learned from it; the device goes on learning
   * locally from what follows, as under `pending`. The participation ledger stays (what was
   * already sent and its ε: erasing it would let a later `grant()` overspend the privacy
   * budget); `forget()` erases that too.
   */
  readonly consent = {
    state: async (): Promise<ConsentState> => {
      try {
        const { store } = await this.storeReady
        this.consentNow = (await store.get<ConsentState>(KvKey.Consent)) ?? 'pending'
      } catch (e) {
        warn('could not read consent', e)
        this.consentNow ??= 'pending'
      }
      return this.consentNow
    },
    grant: async (): Promise<void> => {
      try {
        const { store } = await this.storeReady
        await store.set(KvKey.Consent, 'granted')
        this.consentNow = 'granted'
      } catch (e) {
        warn('could not store consent', e)
      }
    },
    deny: async (): Promise<void> => {
      try {
        this.consentNow = 'denied'
        this.pending = []
        const { store } = await this.storeReady
        await store.clearEvents()
        await store.delete(KvKey.PersonalModel)
        await store.set(KvKey.Consent, 'denied')
        // A running worker holds the history and the personal model in memory too, here and in other tabs.
        announceChange('erased')
        await (await this.workerPromise)?.api.dropPersonalModel()
      } catch (e) {
        warn('could not erase local data', e)
      }
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

  /**
   * Deletes every trace the SDK left on this device: the IndexedDB database (events, consent,
   * cached and personal models, participation records), Cache Storage and web storage entries
   * named `fedrec…`. The SDK then starts afresh, as for a new shopper, with consent pending.
   * @example await fedrec.forget()
   */
  async forget(): Promise<void> {
    try {
      this.pending = []
      if (this.autoTimer) clearTimeout(this.autoTimer)
      this.stopWorker()
      const { store } = await this.storeReady
      const { deleteLocalData } = await onDemand()
      store.close()
      announceChange('erased')
      await deleteLocalData()
      this.consentNow = 'pending'
      this.storeP = null
    } catch (e) {
      warn('could not delete local data', e)
    }
  }

  /**
   * Everything stored about the shopper on this device, as JSON (events, consent, models,
   * participation records).
   * @example const blob = new Blob([JSON.stringify(await fedrec.export())], { type: 'application/json' })
   */
  async export(): Promise<LocalDataExport> {
    await this.flush()
    const { store, kind } = await this.storeReady
    return (await onDemand()).exportLocalData(store, kind)
  }

  /**
   * Where the SDK stands: backend, model version, consent and signals, events, storage. To name
   * the training backend it starts the worker and loads tfjs there if nothing needed it yet.
   * @example const { backend, consent, uploadsAllowed } = await fedrec.status()
   */
  async status(): Promise<FedrecStatus> {
    const { store, kind } = await this.storeReady
    const w = await this.worker()
    const ledger = w ? await w.api.privacyLedger().catch(() => null) : null
    const info = await w?.api.backendInfo().catch(() => null)
    if (w && info) {
      w.backend = info.backend
      w.attempts = info.attempts
    }
    const consent = await this.consent.state()
    const privacySignal = uploadBlocker(typeof navigator === 'undefined' ? undefined : navigator)
    return {
      backend: w?.backend ?? null,
      backendAttempts: w?.attempts ?? [],
      modelVersion: w?.modelVersion ?? null,
      consent,
      privacySignal,
      uploadsAllowed: privacySignal === null && consent === 'granted',
      events: await store.countEvents(),
      storage: kind,
      privacy: ledger && { epsilon: ledger.epsilon, stopped: ledger.stopped },
    }
  }
}

function listItem(item: Candidate, position: number, listId: string): Ga4Item {
  return {
    item_id: item.item_id,
    ...(item.item_name !== undefined ? { item_name: item.item_name } : {}),
    ...(item.item_category !== undefined ? { item_category: item.item_category } : {}),
    ...(item.price !== undefined ? { price: item.price } : {}),
    index: position,
    item_list_id: listId,
  }
}

/** Creates the SDK instance for this page. */
export function createFedrec(config?: FedrecConfig): FedrecClient {
  return new FedrecClient(config)
}
