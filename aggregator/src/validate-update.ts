/** Semantic checks of a decoded update against the open round and the model layout. */
import { l2Norm } from './clip.js'
import { PayloadRejectedError, RejectReason } from './errors.js'
import { maxHonestNorm } from './privatize.js'
import { shapesMatch, type ModelLayout } from './protocol/tensor-layout.js'
import type { UpdatePayload } from './protocol/update-codec.js'
import { clientNoiseStd, type RoundConfig } from './round-config.js'

/**
 * Accepts an update only for the open round, the current model, the announced parameters, the
 * model's exact shapes, and a norm an honest clip + noise could produce.
 * @throws PayloadRejectedError (409 for a closed round or stale model, 422 otherwise)
 */
export function validateUpdate(u: UpdatePayload, round: RoundConfig, layout: ModelLayout): void {
  if (u.roundId !== round.roundId) {
    throw new PayloadRejectedError(RejectReason.RoundClosed, `round ${u.roundId} is not open (open round: ${round.roundId})`, 409)
  }
  if (u.modelVersion !== round.modelVersion) {
    throw new PayloadRejectedError(RejectReason.StaleModel, `update was computed on model ${u.modelVersion}, the round trains model ${round.modelVersion}`, 409)
  }
  if (u.noiseMode !== round.noiseMode || Math.fround(round.clipNorm) !== u.clipNorm || Math.fround(round.noiseMultiplier) !== u.noiseMultiplier) {
    throw new PayloadRejectedError(RejectReason.ParameterMismatch, `update announces C=${u.clipNorm}, z=${u.noiseMultiplier}, ${u.noiseMode}; the round needs C=${round.clipNorm}, z=${round.noiseMultiplier}, ${round.noiseMode}`, 422)
  }
  if (!shapesMatch(u.shapes, layout)) {
    const want = layout.map((t) => `[${t.shape.join(',')}]`).join(' ')
    const got = u.shapes.map((s) => `[${s.join(',')}]`).join(' ')
    throw new PayloadRejectedError(RejectReason.ShapeMismatch, `tensor shapes ${got} do not match the model's ${want}`, 422)
  }
  const norm = l2Norm(u.data)
  const bound = maxHonestNorm(round.clipNorm, clientNoiseStd(round), u.data.length)
  if (norm > bound) {
    throw new PayloadRejectedError(RejectReason.NormTooLarge, `update norm ${norm.toFixed(4)} exceeds ${bound.toFixed(4)}, the most clip ${round.clipNorm} plus noise allows`, 422)
  }
}
