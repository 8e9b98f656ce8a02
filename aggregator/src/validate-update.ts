/** Checks of a decoded update against the open round and the model layout (schemas in protocol/update-schema.ts). */
import { checkRules } from './protocol/schema-rules.js'
import type { ModelLayout } from './protocol/tensor-layout.js'
import type { UpdatePayload } from './protocol/update-codec.js'
import { roundRules, type AcceptanceOptions } from './protocol/update-schema.js'
import type { RoundConfig } from './round-config.js'

/**
 * Accepts an update only for the open round, a model no more than `maxModelLag` versions behind
 * the round's, the announced parameters, the model's exact shapes, a norm an honest clip +
 * noise could produce (neither above the clip plus noise, nor so small that the noise cannot be
 * there), and with adaptive clipping a clip bit.
 * @throws PayloadRejectedError (409 for a closed round or stale model, 422 otherwise)
 * @example validateUpdate(decodeUpdate(bytes), round, model.description.layout, { maxModelLag: 0 })
 */
export function validateUpdate(u: UpdatePayload, round: RoundConfig, layout: ModelLayout, opts: AcceptanceOptions = { maxModelLag: 0 }): void {
  checkRules(u, roundRules(round, layout, opts))
}
