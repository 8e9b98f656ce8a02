/** The SDK's options: from `init({...})`, the script tag's `data-*` attributes, or the npm call. */
import type { Backend } from '../worker/backend-kinds.js'
import type { DevicePrivacyOptions } from '../worker/privacy-types.js'

/** Options of {@link createFedrec}, `fedrec('init', {...})` and the tag's `data-*` attributes. */
export interface FedrecConfig {
  /** Base URL of the fedrec API (ending in '/'). Default: the origin's root. Tag: `data-api`. */
  readonly apiBase?: string
  /** Base URL where `fedrec-worker.js` and `wasm/` are served. Default: beside the SDK module. */
  readonly assetBase?: string
  /**
   * First-party path: the shop serves the SDK (`<path>sdk/`) and the API (`<path>v1/…`) from its
   * own origin under this path, e.g. `/_fr/` proxied to the fedrec edge, so nothing is fetched
   * from a third-party host. Sets `apiBase` and `assetBase` unless given. Tag: `data-path`.
   */
  readonly path?: string
  /** Backends to try, in order. Default webgpu → webgl → wasm → cpu. Tag: `data-backends="webgl,cpu"`. */
  readonly backends?: readonly Backend[]
  /** Take part in rounds on idle when consent is granted. Default true. Tag: `data-auto-participate`. */
  readonly autoParticipate?: boolean
  /** Days of history kept on the device. Default 90. Tag: `data-retention-days`. */
  readonly retentionDays?: number
  /** Most events kept on the device (oldest dropped first). Default 5000. Tag: `data-max-events`. */
  readonly maxEvents?: number
  /** Upper edges of the price bands of the preference profile. Default 10, 25, 50, 100, 250. */
  readonly priceBands?: readonly number[]
  /**
   * The device's privacy budget (ε, δ) after which it stops contributing, its participation cap
   * per period, and how many sent payloads it keeps. Default: no budget, 24 a day, 10 kept.
   */
  readonly privacy?: DevicePrivacyOptions
}

const BACKENDS = new Set<string>(['webgpu', 'webgl', 'wasm', 'cpu'])

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (Number.isFinite(n) && n > 0) return n
  console.warn(`[fedrec] data-${name}="${raw}" is not a positive number; using the default`)
  return undefined
}

/**
 * Reads the script tag's `data-*` attributes (`dataset`, camel-cased by the browser).
 * @example configFromDataset({ api: '/', autoParticipate: 'false' }) // { apiBase: '/', autoParticipate: false }
 */
export function configFromDataset(d: Readonly<Record<string, string | undefined>>): FedrecConfig {
  const backends = d.backends?.split(',').map((s) => s.trim()).filter((s) => BACKENDS.has(s)) as Backend[] | undefined
  const retentionDays = positive('retention-days', d.retentionDays)
  const maxEvents = positive('max-events', d.maxEvents)
  return {
    ...(d.api !== undefined ? { apiBase: d.api } : {}),
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.autoParticipate !== undefined ? { autoParticipate: d.autoParticipate !== 'false' } : {}),
    ...(backends?.length ? { backends } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(maxEvents !== undefined ? { maxEvents: Math.floor(maxEvents) } : {}),
  }
}

/** Resolves `path` into the two bases (an explicit base wins). */
export function resolveBases(c: FedrecConfig): FedrecConfig {
  if (!c.path) return c
  const path = c.path.endsWith('/') ? c.path : `${c.path}/`
  return { ...c, apiBase: c.apiBase ?? path, assetBase: c.assetBase ?? `${path}sdk/` }
}
