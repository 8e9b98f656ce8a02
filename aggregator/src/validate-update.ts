/** Semantic checks of a decoded update against the open round and the model layout. */
import { l2Norm } from './clip.js'
import { PayloadRejectedError, RejectReason } from './errors.js'
import { maxHonestClipBit, maxHonestNorm, minHonestNorm } from './privatize.js'
import { shapesMatch, type ModelLayout } from './protocol/tensor-layout.js'
import type { UpdatePayload } from './protocol/update-codec.js'
import { clientIndicatorNoiseStd, clientNoiseStd, type RoundConfig } from './round-config.js'

/**
 * Accepts an update only for the open round, the current model, the announced parameters, the
 * model's exact shapes, a norm an honest clip + noise could produce (neither above the clip plus
 * noise, nor so small that the noise cannot be there), and with adaptive clipping a clip bit.
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
  const adaptive = round.adaptiveClipping
  if (adaptive && !u.clipBit) {
    throw new PayloadRejectedError(RejectReason.ParameterMismatch, `the round clips adaptively and needs the clip bit of payload format 2; this payload has none`, 422)
  }
  if (!adaptive && u.clipBit) {
    throw new PayloadRejectedError(RejectReason.ParameterMismatch, 'the round clips at a fixed norm; this payload carries a clip bit', 422)
  }
  if (adaptive && u.clipBit && Math.fround(adaptive.countNoiseStd) !== u.clipBit.countNoiseStd) {
    throw new PayloadRejectedError(RejectReason.ParameterMismatch, `update announces clipped-count noise ${u.clipBit.countNoiseStd}; the round needs ${adaptive.countNoiseStd}`, 422)
  }
  if (u.clipBit && Math.abs(u.clipBit.value) > maxHonestClipBit(clientIndicatorNoiseStd(round))) {
    throw new PayloadRejectedError(RejectReason.ClipBitOutOfRange, `clip bit ${u.clipBit.value} is further from ±0.5 than noise of std ${clientIndicatorNoiseStd(round)} allows`, 422)
  }
  if (!shapesMatch(u.shapes, layout)) {
    const want = layout.map((t) => `[${t.shape.join(',')}]`).join(' ')
    const got = u.shapes.map((s) => `[${s.join(',')}]`).join(' ')
    throw new PayloadRejectedError(RejectReason.ShapeMismatch, `tensor shapes ${got} do not match the model's ${want}`, 422)
  }
  const norm = l2Norm(u.data)
  const std = clientNoiseStd(round)
  const bound = maxHonestNorm(round.clipNorm, std, u.data.length)
  if (norm > bound) {
    throw new PayloadRejectedError(RejectReason.NormTooLarge, `update norm ${norm.toFixed(4)} exceeds ${bound.toFixed(4)}, the most clip ${round.clipNorm} plus noise allows`, 422)
  }
  const floor = minHonestNorm(round.clipNorm, std, u.data.length)
  if (norm < floor) {
    throw new PayloadRejectedError(RejectReason.NoiseTooSmall, `update norm ${norm.toFixed(4)} is below ${floor.toFixed(4)}, the least noise of std ${std.toPrecision(4)} per value leaves: the announced noise is missing`, 422)
  }
}
