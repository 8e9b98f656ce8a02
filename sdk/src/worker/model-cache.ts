/**
 * Fetches the global model with its ETag and keeps it in IndexedDB; refetches only on a new
 * version. Ranking reads the model in memory (`latest`) and never waits for the network.
 */
import { decodeModel, type ModelBundle } from '../../../aggregator/src/index.js'
import { apiFetch } from './api-fetch.js'
import { sha256Hex } from './checksum.js'
import { KvKey, type EventStore } from '../store/event-store.js'

interface CachedModel {
  readonly etag: string
  readonly bytes: Uint8Array
  /** SHA-256 of `bytes`, written with them; a cache entry without it or not matching it is discarded. */
  readonly sha256?: string
}

/** The global model as the worker uses it. */
export interface GlobalModel {
  readonly bundle: ModelBundle
  readonly vocab: ReadonlyMap<string, number>
}

function toGlobal(bytes: Uint8Array): GlobalModel {
  const bundle = decodeModel(bytes)
  const vocab = new Map<string, number>()
  bundle.description.vocab.forEach((id, i) => vocab.set(id, i + 1))
  return { bundle, vocab }
}

/**
 * Keeps the cached global model in step with the server.
 * @example const cache = new ModelCache(store, '/'); const model = await cache.sync()
 */
export class ModelCache {
  private current: GlobalModel | null = null
  private etag: string | null = null
  /** One warning per worker when the API cannot be reached, not one per ranking. */
  private warnedUnreachable = false
  /** The check in flight: callers share it rather than asking the server twice. */
  private syncing: Promise<GlobalModel | null> | null = null
  /** When the server was last asked (ms since the epoch). */
  private checkedAt = -Infinity

  constructor(
    private readonly store: EventStore,
    private readonly apiBase: string,
  ) {}

  /** The model cached on the device, if any. */
  async load(): Promise<GlobalModel | null> {
    if (this.current) return this.current
    const cached = await this.store.get<CachedModel>(KvKey.GlobalModel)
    if (!cached) return null
    try {
      if (!cached.sha256 || cached.sha256 !== (await sha256Hex(cached.bytes))) throw new Error('checksum mismatch')
      this.current = toGlobal(cached.bytes)
      this.etag = cached.etag
    } catch (e) {
      console.warn(`[fedrec] the cached model is damaged (${e instanceof Error ? e.message : String(e)}); discarded, fetching it again`)
      await this.store.set(KvKey.GlobalModel, undefined)
    }
    return this.current
  }

  /**
   * The model in memory now. When the server was last asked more than `maxAgeMs` ago, asks it
   * again in the background: the answer serves the next caller, this one does not wait.
   * @example const model = cache.latest(5 * 60_000)
   */
  latest(maxAgeMs: number): GlobalModel | null {
    if (Date.now() - this.checkedAt > maxAgeMs) {
      this.sync().catch((e: unknown) => console.warn(`[fedrec] the published model could not be read (${e instanceof Error ? e.message : String(e)}); keeping v${this.current?.bundle.version ?? 'none'}`))
    }
    return this.current
  }

  /**
   * Asks the server for the model, sending the cached ETag so an unchanged model costs a 304.
   * Offline or failing servers leave the cached model in place. One request at a time.
   */
  sync(): Promise<GlobalModel | null> {
    this.syncing ??= this.fetchModel().finally(() => {
      this.syncing = null
      this.checkedAt = Date.now()
    })
    return this.syncing
  }

  private async fetchModel(): Promise<GlobalModel | null> {
    await this.load()
    const headers: Record<string, string> = {}
    if (this.etag) headers['if-none-match'] = this.etag
    let res: Response
    try {
      res = await apiFetch(this.apiBase, 'v1/model', { headers })
    } catch (e) {
      this.unreachable(String(e))
      return this.current
    }
    if (res.status === 304) return this.current
    if (!res.ok) {
      this.unreachable(`GET /v1/model answered ${res.status}`)
      return this.current
    }
    const bytes = new Uint8Array(await res.arrayBuffer())
    const next = toGlobal(bytes)
    this.current = next
    this.etag = res.headers.get('etag') ?? `"v${next.bundle.version}"`
    try {
      await this.store.set(KvKey.GlobalModel, { etag: this.etag, bytes, sha256: await sha256Hex(bytes) } satisfies CachedModel)
    } catch (e) {
      // Out of storage quota: use the model from memory now and fetch it again next time.
      console.info('[fedrec] could not cache the model on the device', e)
    }
    return next
  }

  private unreachable(why: string): void {
    if (this.warnedUnreachable) return
    this.warnedUnreachable = true
    console.warn(
      this.current
        ? `[fedrec] the fedrec API is unreachable (${why}); using the cached model v${this.current.bundle.version}`
        : `[fedrec] the fedrec API is unreachable (${why}) and no model is cached; recommendations keep the page order`,
    )
  }
}
