/** Types of the device's privacy ledger, shared by the worker and the page (no code, no tfjs). */

/** The most ε the device may spend, at δ; reaching it stops the device from contributing. */
export interface PrivacyBudget {
  readonly epsilon: number
  readonly delta: number
}

/** At most `max` payloads sent per sliding window of `periodMs` milliseconds. */
export interface ParticipationCap {
  readonly max: number
  readonly periodMs: number
}

/** Privacy settings of the device (FedrecConfig.privacy). */
export interface DevicePrivacyOptions {
  /** Default none: the ledger still counts ε, but nothing stops the device. */
  readonly budget?: PrivacyBudget | null
  /** Default 24 per 24 hours. */
  readonly participationCap?: ParticipationCap
  /** How many sent payloads the device keeps for inspection. Default 10. */
  readonly keepPayloads?: number
}

/**
 * One round in which the device drew its sampling coin (whether or not it was picked): the
 * accountant's amplification by sampling counts every such round, so the ledger does too.
 */
export interface LedgerEntry {
  readonly roundId: number
  readonly modelVersion: number
  /** When the coin was drawn (Unix ms). */
  readonly at: number
  /** q announced by the round. */
  readonly sampleRate: number
  /** z the round accounts. */
  readonly noiseMultiplier: number
  /** C applied (the adaptive estimate when the round clips adaptively). */
  readonly clipNorm: number
  readonly noiseMode: string
  /** γ when the round clipped adaptively, else null. */
  readonly clipQuantile: number | null
  /**
   * Noise multiplier of this one payload as the aggregator sees it: z in `local` mode,
   * z/√minClients in `distributed` mode.
   */
  readonly payloadNoiseMultiplier: number
  /** Whether the coin picked the device. */
  readonly sampled: boolean
  /** Bytes sent; 0 when nothing was sent. */
  readonly bytes: number
}

/** Why the device no longer contributes. */
export interface PrivacyStop {
  readonly reason: 'budget_exhausted'
  readonly detail: string
}

/** The device's ledger and what it adds up to. */
export interface DevicePrivacyLedger {
  readonly entries: readonly LedgerEntry[]
  /**
   * ε spent at `delta` against anyone who sees the published models: every round with a coin
   * draw, each a Poisson-subsampled Gaussian with its (q, z), composed by the RDP accountant.
   * Null when there is no finite bound (a round ran with z = 0).
   */
  readonly epsilon: number | null
  /**
   * ε at `delta` against the aggregator, which sees each payload: the payloads sent, each a
   * Gaussian mechanism without sampling (q = 1) at its payload noise multiplier.
   */
  readonly epsilonPerPayloads: number | null
  readonly delta: number
  readonly budget: PrivacyBudget | null
  readonly participationCap: ParticipationCap
  /** Payloads sent within the cap's current window. */
  readonly participationsInPeriod: number
  /** Set once the budget stopped the device. */
  readonly stopped: PrivacyStop | null
}

/** A payload the device sent, kept on the device for inspection (`sdk.privacy.sentPayloads()`). */
export interface SentPayload {
  readonly roundId: number
  readonly modelVersion: number
  /** Unix ms. */
  readonly sentAt: number
  /** The exact request body (docs/PAYLOAD.md); `npm run -s audit` checks it. */
  readonly bytes: Uint8Array
}
