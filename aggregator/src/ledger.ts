/** The server's privacy ledger (GET /v1/privacy): one entry per closed round, and the ε it adds up to. */
import { computeEpsilonForSteps } from './accountant/index.js'
import type { NoiseMode } from './round-config.js'
import type { ServerOptimizer } from './server-optimizer.js'

/** Adaptive clipping's record of one round. */
export interface AdaptiveClipLedger {
  /** γ, the unclipped fraction aimed at. */
  readonly targetQuantile: number
  readonly learningRate: number
  /** σ_b, the noise std on the cohort's sum of clip bits. */
  readonly countNoiseStd: number
  /** z_Δ, the multiplier applied to the values (≥ noiseMultiplier). */
  readonly valueNoiseMultiplier: number
  /** b̄, the noised unclipped fraction measured this round (null when nothing was published). */
  readonly unclippedFraction: number | null
  /** The clip norm the next round announces. */
  readonly nextClipNorm: number
}

/** Secure aggregation's record of one round: how its cohorts went, and the noise each sum carried. */
export interface SecureAggregationLedger {
  readonly cohortSize: number
  readonly minSurvivors: number
  /** One entry per cohort whose sum was delivered: clients in the sum, and clients that dropped. */
  readonly cohorts: readonly { readonly included: number; readonly dropped: number }[]
  /**
   * Noise multiplier of the least noisy sum the server could see: a cohort of
   * exactly minSurvivors, i.e. the announced z. The accountant composes this worst case.
   */
  readonly worstCaseNoiseMultiplier: number
  /** Noise multiplier the smallest delivered cohort actually carried (≥ the worst case), or null. */
  readonly smallestCohortNoiseMultiplier: number | null
}

/** One closed round. */
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
  /** q, the sampling rate each device's coin used. */
  readonly sampleRate: number
  /** z, the noise multiplier the accountant composes (values and clip bits together). */
  readonly noiseMultiplier: number
  /** C, the clip norm of the round (the adaptive estimate when clipping adapts). */
  readonly clipNorm: number
  readonly noiseMode: NoiseMode
  readonly openedAt: number
  readonly closedAt: number
  /** Null when the round clipped at a fixed norm. Absent in entries written before it existed. */
  readonly adaptiveClipping?: AdaptiveClipLedger | null
  readonly serverOptimizer?: ServerOptimizer
  /** η the round's step took (it decays with the round under a schedule). Absent in entries written before it existed. */
  readonly serverLearningRate?: number
  /** Present when the round was securely aggregated. */
  readonly secureAggregation?: SecureAggregationLedger | null
  /**
   * Cumulative (ε, δ) of the model published after this round closed, over all published rounds;
   * ε is null when no finite bound exists (a round ran with z = 0).
   */
  readonly epsilon?: number | null
  readonly delta?: number
}

/** The (ε, δ) of a published model and what it composes. */
export interface ModelPrivacy {
  /** Null when there is no finite bound (a published round ran without noise). */
  readonly epsilon: number | null
  readonly delta: number
  /** Published rounds composed; abandoned rounds published nothing and cost nothing. */
  readonly rounds: number
}

/**
 * Cumulative (ε, δ) of the model after `entries`: the RDP of every published round, each a
 * Poisson-subsampled Gaussian with its own (q, z), composed and converted at δ
 * (`computeEpsilonForSteps`). The initial model is built from the public catalogue only.
 * @example modelPrivacy(ledger, 1e-6) // { epsilon: 3.1, delta: 1e-6, rounds: 40 }
 */
export function modelPrivacy(entries: readonly Pick<RoundLedgerEntry, 'outcome' | 'sampleRate' | 'noiseMultiplier'>[], delta: number): ModelPrivacy {
  const steps = entries.filter((e) => e.outcome === 'published').map((e) => ({ q: e.sampleRate, noiseMultiplier: e.noiseMultiplier }))
  const { epsilon } = computeEpsilonForSteps(steps, delta)
  return { epsilon: Number.isFinite(epsilon) ? epsilon : null, delta, rounds: steps.length }
}
