/** The contract between the SDK core (page) and its worker, shared by both sides of comlink. */
import type { Backend, BackendAttempt } from './backend.js'

export type ConsentState = 'pending' | 'granted' | 'denied'

export interface WorkerStartOptions {
  /** Base URL of the API, ending in '/': `${apiBase}v1/model`. */
  readonly apiBase: string
  /** Base URL of the tfjs wasm binaries, ending in '/'. */
  readonly wasmBase: string
  readonly backends?: readonly Backend[]
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
export type SkipReason = 'consent' | 'not_sampled' | 'already_decided' | 'no_history' | 'no_model' | 'offline' | 'rejected'

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
    }
  | { readonly status: 'skipped'; readonly reason: SkipReason; readonly detail?: string; readonly roundId?: number }

/** One line of the device's participation ledger (stays on the device). */
export interface LedgerEntry {
  readonly roundId: number
  readonly modelVersion: number
  readonly at: number
  readonly sampleRate: number
  readonly noiseMultiplier: number
  readonly clipNorm: number
  readonly noiseMode: string
  readonly bytes: number
}

export interface WorkerApi {
  start(opts: WorkerStartOptions): Promise<WorkerStarted>
  rank(itemIds: readonly string[]): Promise<RankResult>
  participate(consent: ConsentState): Promise<ParticipationResult>
}
