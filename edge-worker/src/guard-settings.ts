/**
 * Settings of the edge's defences, read from FEDREC_* variables with a schema (valibot): model
 * lag, rate limits, allowed origins, robust aggregation. A bad value stops the worker with a
 * message naming the variable.
 */
import * as v from 'valibot'
import { describeIssues, NoiseMode, RobustAggregation } from '../../aggregator/src/index.js'

/** The variables this module reads (a subset of Env). */
export interface GuardVars {
  readonly FEDREC_MAX_MODEL_LAG?: string
  readonly FEDREC_RATE_LIMIT?: string
  readonly FEDREC_UPLOAD_RATE_LIMIT?: string
  readonly FEDREC_RATE_WINDOW_SECONDS?: string
  readonly FEDREC_ALLOWED_ORIGINS?: string
  readonly FEDREC_ROBUST_AGGREGATION?: string
  readonly FEDREC_TRIM_FRACTION?: string
  readonly FEDREC_NOISE_MODE?: string
}

export interface GuardSettings {
  /** Versions an update's model may lag behind the round's model. */
  readonly maxModelLag: number
  /** Requests per window per origin + connection on /v1 (uploads included). */
  readonly rateLimit: number
  /** POST /v1/updates per window per origin + connection. */
  readonly uploadRateLimit: number
  readonly rateWindowSeconds: number
  /** Shop origins allowed to call the API cross-origin (same-origin pages always may). */
  readonly allowedOrigins: readonly string[]
  readonly robust: RobustAggregation
  readonly trimFraction: number
}

/** A variable that is absent or empty takes its default; otherwise it must parse and pass `ok`. */
const numberVar = (fallback: number, ok: (n: number) => boolean, expected: string) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.transform((s: string) => (s.trim() === '' ? fallback : Number(s))),
    v.number(),
    v.check((n) => Number.isFinite(n) && ok(n), (i) => `${String(i.input)} is not ${expected}`),
  )
const int = (min: number) => (n: number) => Number.isInteger(n) && n >= min

const GuardVarsSchema = v.object({
  FEDREC_MAX_MODEL_LAG: numberVar(0, int(0), 'an integer ≥ 0'),
  FEDREC_RATE_LIMIT: numberVar(600, int(1), 'an integer ≥ 1'),
  FEDREC_UPLOAD_RATE_LIMIT: numberVar(30, int(1), 'an integer ≥ 1'),
  FEDREC_RATE_WINDOW_SECONDS: numberVar(60, (n) => n > 0, 'a positive number of seconds'),
  FEDREC_ALLOWED_ORIGINS: v.pipe(
    v.optional(v.string(), ''),
    v.transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
    v.array(v.pipe(v.string(), v.url('each allowed origin must be a URL like https://shop.example'), v.check((o) => new URL(o).origin === o, 'an allowed origin is scheme://host[:port], no path'))),
  ),
  FEDREC_ROBUST_AGGREGATION: v.optional(v.picklist([RobustAggregation.None, RobustAggregation.TrimmedMean, RobustAggregation.Median]), RobustAggregation.None),
  FEDREC_TRIM_FRACTION: numberVar(0.1, (n) => n >= 0 && n < 0.5, 'a fraction in [0, 0.5)'),
  FEDREC_NOISE_MODE: v.optional(v.string(), NoiseMode.Local),
})

/**
 * @throws Error naming the variable when one is invalid, or when robust aggregation is asked
 * for in distributed-noise rounds (there each update alone is not private and only the sum is
 * noised enough, so a median or trimmed mean would break the privacy guarantee).
 * @example guardSettings({ FEDREC_RATE_LIMIT: '120' }).rateLimit // 120
 */
export function guardSettings(env: GuardVars): GuardSettings {
  const r = v.safeParse(GuardVarsSchema, env)
  if (!r.success) throw new Error(`invalid edge setting ${describeIssues(r.issues)}`)
  const o = r.output
  if (o.FEDREC_ROBUST_AGGREGATION !== RobustAggregation.None && o.FEDREC_NOISE_MODE !== NoiseMode.Local) {
    throw new Error(`FEDREC_ROBUST_AGGREGATION=${o.FEDREC_ROBUST_AGGREGATION} needs FEDREC_NOISE_MODE=local: robust aggregation reads each update, which only local noise makes private`)
  }
  return {
    maxModelLag: o.FEDREC_MAX_MODEL_LAG,
    rateLimit: o.FEDREC_RATE_LIMIT,
    uploadRateLimit: o.FEDREC_UPLOAD_RATE_LIMIT,
    rateWindowSeconds: o.FEDREC_RATE_WINDOW_SECONDS,
    allowedOrigins: o.FEDREC_ALLOWED_ORIGINS,
    robust: o.FEDREC_ROBUST_AGGREGATION,
    trimFraction: o.FEDREC_TRIM_FRACTION,
  }
}
