/** The contract between the SDK core (page) and its worker, shared by both sides of comlink. */
import type { StoredEvent } from '../core/ga4.js'
import type { RecommendQuery, ScoredItem } from '../recommend/types.js'
import type { Backend, BackendAttempt } from './backend-kinds.js'
import type { DevicePrivacyLedger, DevicePrivacyOptions, SentPayload } from './privacy-types.js'

export type { LedgerEntry } from './privacy-types.js'

export type ConsentState = 'pending' | 'granted' | 'denied'

export interface WorkerStartOptions {
  /** Base URL of the API, ending in '/': `${apiBase}v1/model`. */
  readonly apiBase: string
  /** Base URL of the tfjs wasm binaries, ending in '/'. */
  readonly wasmBase: string
  readonly backends?: readonly Backend[]
  /** The device's privacy budget, participation cap and payload keeping. */
  readonly privacy?: DevicePrivacyOptions
  /** 'memory': the page has no IndexedDB and sends its events with `ingest`. */
  readonly storage?: 'indexeddb' | 'memory'
}

export interface WorkerStarted {
  /** Null until the device first trains: tfjs loads only then (ranking needs none). */
  readonly backend: Backend | null
  readonly attempts: readonly BackendAttempt[]
  readonly modelVersion: number | null
}

export interface RankResult {
  /** One score per requested id, null for an id the model does not know. */
  readonly scores: (number | null)[]
  readonly modelVersion: number | null
  /** True when the scores come from a model fine-tuned on this device's own history. */
  readonly personalized: boolean
  /** The training backend in use now (it changes if the first one failed at run time); null before tfjs loaded. Ranking itself runs without tfjs. */
  readonly backend: Backend | null
}

export interface BackendInfo {
  readonly backend: Backend | null
  readonly attempts: readonly BackendAttempt[]
}

export interface RecommendResult {
  readonly items: readonly ScoredItem[]
  readonly modelVersion: number | null
  /** True when the model fine-tuned on this device's own history scored the list. */
  readonly personalized: boolean
}

/** Why a device did not send an update this time. */
export type SkipReason = 'consent' | 'not_sampled' | 'already_decided' | 'no_history' | 'no_model' | 'offline' | 'rejected' | 'budget_exhausted' | 'participation_cap' | 'secure_abandoned'

export type ParticipationResult =
  | {
      readonly status: 'sent'
      readonly roundId: number
      readonly modelVersion: number
      readonly bytes: number
      readonly clipNorm: number
      readonly noiseMultiplier: number
      readonly noiseStd: number
      readonly clipped: boolean
      readonly backend: Backend
      readonly trainMs: number
      /** Secure rounds only: the cohort, and how many inputs its delivered sum holds. */
      readonly secureAggregation?: { readonly cohort: string; readonly included: number }
    }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly detail?: string; readonly roundId?: number }


export interface WorkerApi {
  start(opts: WorkerStartOptions): Promise<WorkerStarted>
  rank(itemIds: readonly string[]): Promise<RankResult>
  recommend(query: RecommendQuery): Promise<RecommendResult>
  /** Forgets the personal model held in memory (the page erased the history). */
  dropPersonalModel(): Promise<void>
  /** The page recorded events: the history kept in memory is read again at the next ranking. */
  eventsChanged(): Promise<void>
  /** Replaces the worker's copy of the events of a page in memory mode. */
  ingest(events: readonly StoredEvent[]): Promise<void>
  /** Loads tfjs and picks the backend if not done yet; reports it. */
  backendInfo(): Promise<BackendInfo>
  participate(consent: ConsentState): Promise<ParticipationResult>
  /** The device's privacy ledger: participations, ε spent, budget, why it stopped. */
  privacyLedger(): Promise<DevicePrivacyLedger>
  /** The last payloads the device sent, oldest first, byte for byte. */
  sentPayloads(): Promise<SentPayload[]>
}
