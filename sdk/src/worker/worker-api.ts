/** The contract between the SDK core (page) and its worker, shared by both sides of comlink. */
import type { Backend, BackendAttempt } from './backend.js'
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
}

export interface WorkerStarted {
  readonly backend: Backend
  readonly attempts: readonly BackendAttempt[]
  readonly modelVersion: number | null
}

export interface RankResult {
  /** One score per requested id, null for an id the model does not know. */
  readonly scores: (number | null)[]
  readonly modelVersion: number | null
  /** True when the scores come from a model fine-tuned on this device's own history. */
  readonly personalized: boolean
  /** The backend in use now (it changes if the first one failed at run time). */
  readonly backend: Backend
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
  participate(consent: ConsentState): Promise<ParticipationResult>
  /** The device's privacy ledger: participations, ε spent, budget, why it stopped. */
  privacyLedger(): Promise<DevicePrivacyLedger>
  /** The last payloads the device sent, oldest first, byte for byte. */
  sentPayloads(): Promise<SentPayload[]>
}
