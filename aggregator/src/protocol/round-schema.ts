/**
 * Schema (valibot) of the round announcement (GET /v1/round). The device checks what the server
 * announced before it trains or adds noise: a round with a missing clip norm or a negative noise
 * multiplier would otherwise turn into an update with no privacy at all.
 */
import * as v from 'valibot'
import { NoiseMode, type RoundConfig } from '../round-config.js'
import { UpdateEncoding } from './update-encoding.js'

const count = v.pipe(v.number(), v.integer(), v.minValue(1))
const version = v.pipe(v.number(), v.integer(), v.minValue(0))

/** A RoundConfig as JSON; extra fields (added by newer servers) are kept. */
export const RoundConfigSchema = v.pipe(
  v.looseObject({
    roundId: count,
    modelVersion: version,
    clipNorm: v.pipe(v.number(), v.finite(), v.gtValue(0)),
    noiseMultiplier: v.pipe(v.number(), v.finite(), v.minValue(0)),
    noiseMode: v.picklist([NoiseMode.Local, NoiseMode.Distributed]),
    minClients: count,
    expectedClients: count,
    serverLearningRate: v.pipe(v.number(), v.finite(), v.gtValue(0)),
    sampleRate: v.pipe(v.number(), v.gtValue(0), v.maxValue(1)),
    deadline: v.pipe(v.number(), v.integer(), v.minValue(0)),
    updateEncoding: v.optional(v.picklist(Object.values(UpdateEncoding))),
    // Row subset: whether it fits the model is checked against the model (`rowSubsetError`).
    rowSubset: v.optional(
      v.nullable(
        v.object({
          tensor: v.pipe(v.string(), v.minLength(1)),
          hotRows: v.pipe(v.number(), v.integer(), v.minValue(0)),
          windowStart: v.pipe(v.number(), v.integer(), v.minValue(0)),
          windowRows: v.pipe(v.number(), v.integer(), v.minValue(0)),
        }),
      ),
    ),
    // Secure aggregation: a sum of fewer than 2 inputs would reveal one (docs/SECAGG.md).
    secureAggregation: v.optional(
      v.nullable(
        v.pipe(
          v.object({
            cohortSize: count,
            minSurvivors: v.pipe(count, v.minValue(2)),
            stepSeconds: v.pipe(v.number(), v.finite(), v.gtValue(0)),
            joinSeconds: v.pipe(v.number(), v.finite(), v.gtValue(0)),
          }),
          v.check((s) => s.minSurvivors <= s.cohortSize, 'secureAggregation.minSurvivors must be ≤ cohortSize'),
        ),
      ),
    ),
  }),
  v.check((r) => r.expectedClients >= r.minClients, 'expectedClients must be ≥ minClients'),
  v.check((r) => !r.secureAggregation || (r.updateEncoding ?? UpdateEncoding.Float32) === UpdateEncoding.Float32, 'updateEncoding must be float32 under secure aggregation (it has its own encoding)'),
)

/**
 * Parses an announced round, or says what is wrong with it.
 * @example const r = parseRoundConfig(await res.json()); if (!r.ok) console.warn(r.error)
 */
export function parseRoundConfig(json: unknown): { ok: true; round: RoundConfig } | { ok: false; error: string } {
  const result = v.safeParse(RoundConfigSchema, json)
  if (result.success) return { ok: true, round: result.output }
  const issue = result.issues[0]
  return { ok: false, error: `${v.getDotPath(issue) ?? 'round'}: ${issue.message}` }
}
