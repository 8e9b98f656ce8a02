/** Bindings and variables of the edge worker, and the round settings read from them. */
import { adaptiveClipRound, ADAPTIVE_CLIP_DEFAULTS, FEDADAM_DEFAULTS, FEDAVG_SERVER_LR, FEDAVGM_DEFAULTS, ModelEncoding, NoiseMode, ROW_SCALE_DEFAULTS, ROW_SUBSET_DEFAULTS, ServerOptimizer, UpdateEncoding, UPLOAD_BUDGET_BYTES, WIRE_DEFAULTS, type AdaptiveClipRound, type RowScaleOptions, type SecureAggregationRound, type ServerLrSchedule, type ServerStepSettings } from '../../aggregator/src/index.js'
import type { GuardVars } from './guard-settings.js'
import type { RateLimitBindings } from './rate-limiter.js'
import type { RoundCoordinator } from './round-coordinator.js'
import { secureAggregationSettings } from './secagg-settings.js'
import type { SecAggCohort } from './secagg-cohort.js'

export interface Env extends GuardVars, RateLimitBindings {
  readonly ASSETS: Fetcher
  readonly ROUNDS: DurableObjectNamespace<RoundCoordinator>
  /** One secure-aggregation cohort per object (docs/SECAGG.md). */
  readonly COHORTS: DurableObjectNamespace<SecAggCohort>
  readonly FEDREC_MIN_CLIENTS?: string
  readonly FEDREC_EXPECTED_CLIENTS?: string
  readonly FEDREC_CLIP_NORM?: string
  readonly FEDREC_NOISE_MULTIPLIER?: string
  readonly FEDREC_NOISE_MODE?: string
  readonly FEDREC_SERVER_LR?: string
  /** Rounds over which η decays by a half cosine to FEDREC_SERVER_LR_END × η (unset or `off`: constant η). */
  readonly FEDREC_SERVER_LR_DECAY_ROUNDS?: string
  /** Fraction of η left at the end of the decay (default 0.1). */
  readonly FEDREC_SERVER_LR_END?: string
  readonly FEDREC_SAMPLE_RATE?: string
  readonly FEDREC_ROUND_SECONDS?: string
  readonly FEDREC_MAX_UPLOAD_BYTES?: string
  readonly FEDREC_ALLOWED_ORIGINS?: string
  /** Set to turn adaptive clipping on: γ, the fraction of updates the clip norm should leave unclipped. */
  readonly FEDREC_CLIP_QUANTILE?: string
  /** η_C of the geometric clip update (default 0.2). */
  readonly FEDREC_CLIP_LR?: string
  /** σ_b, noise std on the cohort's sum of clip bits (default 0.05 × expected clients). */
  readonly FEDREC_CLIP_COUNT_STDDEV?: string
  /** `fedavg` (default), `fedavgm` (server momentum) or `fedadam`. */
  readonly FEDREC_SERVER_OPTIMIZER?: string
  /** FedAvgM's β (default 0.9). */
  readonly FEDREC_SERVER_MOMENTUM?: string
  readonly FEDREC_ADAM_BETA1?: string
  readonly FEDREC_ADAM_BETA2?: string
  readonly FEDREC_ADAM_TAU?: string
  /** δ of the (ε, δ) the privacy ledger reports (default 1e-6). */
  readonly FEDREC_TARGET_DELTA?: string
  /** `on` to aggregate updates securely in cohorts (docs/SECAGG.md); `off` (default) for plain updates. */
  readonly FEDREC_SECURE_AGGREGATION?: string
  /** Most clients per secure-aggregation cohort (default: the expected clients). */
  readonly FEDREC_SECAGG_COHORT_SIZE?: string
  /** Fewest clients a cohort's sum may hold (default: the cohort size less a third). */
  readonly FEDREC_SECAGG_MIN_SURVIVORS?: string
  /** Seconds each protocol step waits for clients (default 60). */
  readonly FEDREC_SECAGG_STEP_SECONDS?: string
  /** Seconds a cohort waits to fill before starting (default 120). */
  readonly FEDREC_SECAGG_JOIN_SECONDS?: string
  /** How plain updates carry their values: `float32`, `int8` or `int4` (unset: int8, or int4 when an int8 update of the served model exceeds 128 KiB; float32 under secure aggregation). */
  readonly FEDREC_UPDATE_ENCODING?: string
  /** How GET /v1/model carries the weights: `float32`, `int8-rows` or `int4-rows` (unset: int8 rows, or int4 rows for the item table of a model over 1M parameters: `modelEncodingFor`). */
  readonly FEDREC_MODEL_ENCODING?: string
  /** `auto` (default): rounds train a subset of the item table's rows when a whole update would exceed the 128 KiB upload budget; `off`: every row, whatever the size. */
  readonly FEDREC_ROW_SUBSET?: string
  /** Share of a row-subset round's rows that are the most popular items' (default 0.5; the rest is the moving window). */
  readonly FEDREC_ROW_SUBSET_HOT_SHARE?: string
  /** Bytes one plain update may take (default 131072, the 128 KiB budget): sizes the default update encoding and the row subsets. */
  readonly FEDREC_UPLOAD_BUDGET_BYTES?: string
  /** Per-row server scales of the item table (FedSubAvg, aggregator/src/row-scale.ts): the largest scale (default 100), or `off` for plain FedAvg. */
  readonly FEDREC_ROW_SCALE?: string
  /** Mean clicks a participating device trains on, for the row scales (default 20). */
  readonly FEDREC_ROW_SCALE_CLICKS?: string
  /** Negative rows a device's local training draws, for the row scales (default 128: 64 a step, 2 steps). */
  readonly FEDREC_ROW_SCALE_NEGATIVES?: string
}

/** Round settings that do not change within a deployment. */
export interface RoundSettings {
  readonly minClients: number
  readonly expectedClients: number
  readonly clipNorm: number
  readonly noiseMultiplier: number
  readonly noiseMode: NoiseMode
  readonly serverLearningRate: number
  readonly sampleRate: number
  readonly roundSeconds: number
  readonly maxUploadBytes: number
  /** Adaptive clipping parameters, or null for a fixed clip norm (then `clipNorm` is C). */
  readonly adaptiveClipping: AdaptiveClipRound | null
  /** The server step: optimizer, its peak learning rate and hyper-parameters. */
  readonly serverStep: ServerStepSettings
  /**
   * How η decays from `serverLearningRate` with the round id (aggregator/src/server-lr-schedule.ts);
   * each round announces its own η. Null: every round steps at `serverLearningRate`.
   */
  readonly serverLrSchedule: ServerLrSchedule | null
  /** δ at which GET /v1/privacy reports ε. */
  readonly targetDelta: number
  /** Secure aggregation's cohort settings, or null for plain updates. */
  readonly secureAggregation: SecureAggregationRound | null
  /**
   * How plain updates carry their values (announced in every round); null when
   * FEDREC_UPDATE_ENCODING is unset: the coordinator then picks WIRE_DEFAULTS.updateEncoding,
   * or a coarser one if that would not fit the 128 KiB upload budget for the model it serves
   * (`roundUpdateEncodingFor`).
   */
  readonly updateEncoding: UpdateEncoding | null
  /**
   * How the published model carries its weights (the master copy stays float32); null when
   * FEDREC_MODEL_ENCODING is unset: the coordinator then picks int8 rows, or int4 rows for the
   * large tables of a model too big for the 1 MB download as int8 (`modelEncodingFor`).
   */
  readonly modelEncoding: ModelEncoding | null
  /**
   * Row-subset rounds (aggregator/src/row-subset.ts) for models whose whole update would not fit
   * the upload budget: the share of hot rows; null (FEDREC_ROW_SUBSET=off) trains every row.
   */
  readonly rowSubset: { readonly hotShare: number } | null
  /** Bytes one plain update may take: what the default encoding and the row subsets are sized to. */
  readonly uploadBudgetBytes: number
  /**
   * Per-row scales of the item table's summed update (FedSubAvg; docs/MODEL.md, "Row scales"),
   * applied to models that carry popularity, whatever their size; null: plain FedAvg.
   */
  readonly rowScale: (RowScaleOptions & { readonly noiseTolerance: number }) | null
}

/** One of `allowed`, or the default when unset. @throws Error naming the variable */
function choice<T extends string>(raw: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name}=${raw} must be one of ${allowed.join(', ')}`)
  return raw as T
}

/**
 * The update encoding: FEDREC_UPDATE_ENCODING, else null (the model-dependent default, see
 * {@link RoundSettings.updateEncoding}); float32 under secure aggregation, whose masked inputs
 * have their own fixed-point encoding (docs/SECAGG.md).
 */
function updateEncodingSetting(env: Env, secure: boolean): UpdateEncoding | null {
  if (!secure && (env.FEDREC_UPDATE_ENCODING === undefined || env.FEDREC_UPDATE_ENCODING === '')) return null
  const set = choice(env.FEDREC_UPDATE_ENCODING, 'FEDREC_UPDATE_ENCODING', Object.values(UpdateEncoding), UpdateEncoding.Float32)
  if (secure && set !== UpdateEncoding.Float32) throw new Error(`FEDREC_UPDATE_ENCODING=${set} cannot be combined with FEDREC_SECURE_AGGREGATION=on: secure aggregation masks its own fixed-point encoding`)
  return set
}

export function num(raw: string | undefined, name: string, fallback: number, ok: (n: number) => boolean): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name}=${raw} is not valid`)
  return n
}

/**
 * Reads and checks the round settings; a bad variable stops the worker with a clear message
 * rather than publishing rounds with nonsense parameters.
 */
export function roundSettings(env: Env): RoundSettings {
  const minClients = num(env.FEDREC_MIN_CLIENTS, 'FEDREC_MIN_CLIENTS', 3, (n) => Number.isInteger(n) && n >= 1)
  const mode = env.FEDREC_NOISE_MODE ?? 'local'
  if (mode !== NoiseMode.Local && mode !== NoiseMode.Distributed) throw new Error(`FEDREC_NOISE_MODE=${mode} must be local or distributed`)
  const expectedClients = num(env.FEDREC_EXPECTED_CLIENTS, 'FEDREC_EXPECTED_CLIENTS', minClients, (n) => Number.isInteger(n) && n >= minClients)
  const noiseMultiplier = num(env.FEDREC_NOISE_MULTIPLIER, 'FEDREC_NOISE_MULTIPLIER', 1, (n) => n >= 0)
  const adaptive = env.FEDREC_CLIP_QUANTILE !== undefined && env.FEDREC_CLIP_QUANTILE !== ''
  let adaptiveClipping: AdaptiveClipRound | null = null
  if (adaptive) {
    try {
      adaptiveClipping = adaptiveClipRound({
        noiseMultiplier,
        expectedClients,
        targetQuantile: num(env.FEDREC_CLIP_QUANTILE, 'FEDREC_CLIP_QUANTILE', ADAPTIVE_CLIP_DEFAULTS.targetQuantile, (n) => n >= 0 && n <= 1),
        learningRate: num(env.FEDREC_CLIP_LR, 'FEDREC_CLIP_LR', ADAPTIVE_CLIP_DEFAULTS.learningRate, (n) => n > 0),
        ...(env.FEDREC_CLIP_COUNT_STDDEV ? { countNoiseStd: num(env.FEDREC_CLIP_COUNT_STDDEV, 'FEDREC_CLIP_COUNT_STDDEV', 0, (n) => n >= 0) } : {}),
      })
    } catch (e) {
      throw new Error(`adaptive clipping (FEDREC_CLIP_QUANTILE=${env.FEDREC_CLIP_QUANTILE}): ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const optimizer = env.FEDREC_SERVER_OPTIMIZER || ServerOptimizer.FedAvg
  if (optimizer !== ServerOptimizer.FedAvg && optimizer !== ServerOptimizer.FedAvgM && optimizer !== ServerOptimizer.FedAdam) {
    throw new Error(`FEDREC_SERVER_OPTIMIZER=${optimizer} must be fedavg, fedavgm or fedadam`)
  }
  // FedAdam's step is ~η per coordinate whatever the delta's scale, so it needs a much smaller η
  // (Reddi et al. 2021 tune it in 10^[-3, 0]); FedAvgM's velocity sums about 1 / (1 − β) = 10
  // deltas, so it keeps η = 1 (Hsu et al. 2019); FedAvg takes the harness's DP choice.
  const defaultLr = optimizer === ServerOptimizer.FedAdam ? 0.01 : optimizer === ServerOptimizer.FedAvgM ? 1 : FEDAVG_SERVER_LR
  const serverLearningRate = num(env.FEDREC_SERVER_LR, 'FEDREC_SERVER_LR', defaultLr, (n) => n > 0)
  const serverStep: ServerStepSettings =
    optimizer === ServerOptimizer.FedAdam
      ? {
          optimizer,
          expectedClients,
          serverLearningRate,
          beta1: num(env.FEDREC_ADAM_BETA1, 'FEDREC_ADAM_BETA1', FEDADAM_DEFAULTS.beta1, (n) => n >= 0 && n < 1),
          beta2: num(env.FEDREC_ADAM_BETA2, 'FEDREC_ADAM_BETA2', FEDADAM_DEFAULTS.beta2, (n) => n >= 0 && n < 1),
          tau: num(env.FEDREC_ADAM_TAU, 'FEDREC_ADAM_TAU', FEDADAM_DEFAULTS.tau, (n) => n > 0),
        }
      : optimizer === ServerOptimizer.FedAvgM
        ? { optimizer, expectedClients, serverLearningRate, momentum: num(env.FEDREC_SERVER_MOMENTUM, 'FEDREC_SERVER_MOMENTUM', FEDAVGM_DEFAULTS.momentum, (n) => n >= 0 && n < 1) }
        : { optimizer, expectedClients, serverLearningRate }
  const clipNorm = num(env.FEDREC_CLIP_NORM, 'FEDREC_CLIP_NORM', adaptive ? ADAPTIVE_CLIP_DEFAULTS.initialClipNorm : 1, (n) => n > 0)
  const secureAggregation = secureAggregationSettings(env, { expectedClients, clipNorm, noiseMultiplier, noiseMode: mode, adaptive })
  return {
    minClients,
    expectedClients,
    // With adaptive clipping this is the initial estimate; TFF and Flower start at 0.1.
    clipNorm,
    noiseMultiplier,
    noiseMode: mode,
    serverLearningRate,
    sampleRate: num(env.FEDREC_SAMPLE_RATE, 'FEDREC_SAMPLE_RATE', 1, (n) => n > 0 && n <= 1),
    roundSeconds: num(env.FEDREC_ROUND_SECONDS, 'FEDREC_ROUND_SECONDS', 900, (n) => n > 0),
    maxUploadBytes: num(env.FEDREC_MAX_UPLOAD_BYTES, 'FEDREC_MAX_UPLOAD_BYTES', 8 << 20, (n) => Number.isInteger(n) && n > 0),
    adaptiveClipping,
    serverStep,
    serverLrSchedule: serverLrScheduleSetting(env),
    targetDelta: num(env.FEDREC_TARGET_DELTA, 'FEDREC_TARGET_DELTA', 1e-6, (n) => n > 0 && n < 1),
    secureAggregation,
    updateEncoding: updateEncodingSetting(env, secureAggregation !== null),
    modelEncoding:
      env.FEDREC_MODEL_ENCODING === undefined || env.FEDREC_MODEL_ENCODING === ''
        ? null
        : choice(env.FEDREC_MODEL_ENCODING, 'FEDREC_MODEL_ENCODING', Object.values(ModelEncoding), WIRE_DEFAULTS.modelEncoding),
    rowSubset:
      choice(env.FEDREC_ROW_SUBSET, 'FEDREC_ROW_SUBSET', ['auto', 'off'], 'auto') === 'off'
        ? null
        : { hotShare: num(env.FEDREC_ROW_SUBSET_HOT_SHARE, 'FEDREC_ROW_SUBSET_HOT_SHARE', ROW_SUBSET_DEFAULTS.hotShare, (n) => n >= 0 && n <= 1) },
    uploadBudgetBytes: num(env.FEDREC_UPLOAD_BUDGET_BYTES, 'FEDREC_UPLOAD_BUDGET_BYTES', UPLOAD_BUDGET_BYTES, (n) => Number.isInteger(n) && n > 0),
    rowScale: rowScaleSetting(env),
  }
}

/**
 * The share of η a decay ends at when FEDREC_SERVER_LR_END is unset: what the federated
 * simulation runs (scripts/eval/models/federated.ts, FED_DEFAULTS.serverLrEnd).
 */
export const SERVER_LR_END_DEFAULT = 0.1

/** FEDREC_SERVER_LR_DECAY_ROUNDS and FEDREC_SERVER_LR_END; null when the decay is unset or `off`. */
function serverLrScheduleSetting(env: Env): ServerLrSchedule | null {
  const raw = env.FEDREC_SERVER_LR_DECAY_ROUNDS
  if (raw === undefined || raw === '' || raw === 'off') {
    if (env.FEDREC_SERVER_LR_END) throw new Error(`FEDREC_SERVER_LR_END=${env.FEDREC_SERVER_LR_END} needs FEDREC_SERVER_LR_DECAY_ROUNDS`)
    return null
  }
  return {
    rounds: num(raw, 'FEDREC_SERVER_LR_DECAY_ROUNDS', 0, (n) => Number.isInteger(n) && n >= 2),
    end: num(env.FEDREC_SERVER_LR_END, 'FEDREC_SERVER_LR_END', SERVER_LR_END_DEFAULT, (n) => n > 0 && n <= 1),
  }
}

/** FEDREC_ROW_SCALE and its two estimates; null when `off` (or a largest scale of 1). */
function rowScaleSetting(env: Env): RoundSettings['rowScale'] {
  if (env.FEDREC_ROW_SCALE === 'off') return null
  const maxScale = num(env.FEDREC_ROW_SCALE, 'FEDREC_ROW_SCALE', ROW_SCALE_DEFAULTS.maxScale, (n) => n >= 1)
  if (maxScale === 1) return null
  return {
    maxScale,
    clicksPerClient: num(env.FEDREC_ROW_SCALE_CLICKS, 'FEDREC_ROW_SCALE_CLICKS', ROW_SCALE_DEFAULTS.clicksPerClient, (n) => n > 0),
    negativeDraws: num(env.FEDREC_ROW_SCALE_NEGATIVES, 'FEDREC_ROW_SCALE_NEGATIVES', ROW_SCALE_DEFAULTS.negativeDraws, (n) => n >= 0),
    noiseTolerance: ROW_SCALE_DEFAULTS.noiseTolerance,
  }
}
