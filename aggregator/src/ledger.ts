/** One closed round in the privacy ledger served by GET /v1/privacy. */
import type { NoiseMode } from './round-config.js'

export interface RoundLedgerEntry {
  readonly roundId: number
  /** Model version the round trained and the version it published (null when abandoned). */
  readonly fromVersion: number
  readonly publishedVersion: number | null
  readonly outcome: 'published' | 'abandoned'
  /** Accepted updates. */
  readonly cohortSize: number
  readonly expectedClients: number
  readonly minClients: number
  readonly sampleRate: number
  readonly noiseMultiplier: number
  readonly clipNorm: number
  readonly noiseMode: NoiseMode
  readonly openedAt: number
  readonly closedAt: number
}
