/** The inverse accountant: the smallest noise multiplier z that keeps a run within a target (ε, δ). */

import { Conversion } from './convert.js'
import { ACCOUNTANT_DEFAULTS, computeEpsilonForSteps } from './epsilon.js'
import type { AccountantOptions } from './epsilon.js'
import { checkDelta, checkRounds, checkSamplingRate, checkTargetEpsilon } from './validate.js'

/** What {@link computeNoiseMultiplier} needs. */
export interface NoiseQuery extends AccountantOptions {
  /** Poisson sampling rate per round, in [0, 1]. */
  readonly q: number
  /** Number of rounds to be composed, an integer ≥ 0. */
  readonly rounds: number
  /** δ of the target guarantee, in (0, 1). */
  readonly delta: number
  /** Target ε, a finite number > 0. */
  readonly epsilon: number
  /**
   * Relative tolerance of the search: the z returned is at most (1 + tolerance)·z* for the
   * exact smallest z*. Default {@link NOISE_SEARCH_DEFAULTS}.tolerance.
   */
  readonly tolerance?: number
}

/**
 * No noise multiplier up to {@link NOISE_SEARCH_DEFAULTS}.maxNoiseMultiplier meets the target.
 * A RangeError, so callers that only check for invalid input still catch it.
 * @example
 * try { computeNoiseMultiplier(query) } catch (e) { if (e instanceof UnreachableTargetError) … }
 */
export class UnreachableTargetError extends RangeError {
  override readonly name = 'UnreachableTargetError'
}

/**
 * Defaults of the noise search. `maxNoiseMultiplier` bounds the bracket: a target that needs
 * more noise than this is reported as out of reach.
 * @example NOISE_SEARCH_DEFAULTS.tolerance // 1e-6
 */
export const NOISE_SEARCH_DEFAULTS = { tolerance: 1e-6, maxNoiseMultiplier: 2 ** 20 } as const

/**
 * The smallest noise multiplier z such that `rounds` rounds at sampling rate q are (ε, δ)-DP by
 * this accountant. ε(z) is non-increasing in z at every order (more noise, smaller Rényi
 * divergence), hence also its minimum over orders, so bisection applies: double z from 1 until
 * the target holds, then halve the bracket until its width is at most `tolerance`·z. The
 * returned z always meets the target (it is the upper end of the bracket). Returns 0 when
 * nothing is released (q = 0 or 0 rounds).
 * @throws RangeError on invalid input; {@link UnreachableTargetError} (also a RangeError) when
 *   even z = {@link NOISE_SEARCH_DEFAULTS}.maxNoiseMultiplier does not meet the target (with the
 *   classic conversion ε never drops below log(1/δ)/(α_max − 1)).
 * @example
 * computeNoiseMultiplier({ q: 256 / 60000, rounds: 14062, delta: 1e-5, epsilon: 3.01, conversion: 'classic' })
 * // ≈ 1.1
 */
export function computeNoiseMultiplier(query: NoiseQuery): number {
  const { q, rounds, delta, epsilon } = query
  const tolerance = query.tolerance ?? NOISE_SEARCH_DEFAULTS.tolerance
  checkSamplingRate(q)
  checkRounds(rounds)
  checkDelta(delta)
  checkTargetEpsilon(epsilon)
  if (!(tolerance > 0 && tolerance < 1)) {
    throw new RangeError(`tolerance must be in (0, 1), got ${tolerance}`)
  }
  if (q === 0 || rounds === 0) return 0
  const epsilonAt = (noiseMultiplier: number): number =>
    computeEpsilonForSteps([{ q, noiseMultiplier, rounds }], delta, query).epsilon

  let lo = 0 // ε(0) = ∞ > target
  let hi = 1
  for (;;) {
    const eps = epsilonAt(hi)
    if (eps <= epsilon) break
    lo = hi
    hi *= 2
    if (hi > NOISE_SEARCH_DEFAULTS.maxNoiseMultiplier) {
      throw new UnreachableTargetError(unreachableMessage(query, lo, eps))
    }
  }
  while (hi - lo > tolerance * hi) {
    const mid = (lo + hi) / 2
    if (epsilonAt(mid) <= epsilon) hi = mid
    else lo = mid
  }
  return hi
}

function unreachableMessage(query: NoiseQuery, z: number, eps: number): string {
  const { q, rounds, delta, epsilon } = query
  const orders = query.orders ?? ACCOUNTANT_DEFAULTS.orders
  const classic = (query.conversion ?? ACCOUNTANT_DEFAULTS.conversion) === Conversion.Classic
  const floor = classic
    ? `; with the classic conversion ε never drops below log(1/δ)/(α_max − 1) = ${
        Math.log(1 / delta) / (Math.max(...orders) - 1)
      }`
    : ''
  return (
    `target epsilon ${epsilon} is out of reach for q = ${q}, ${rounds} rounds, delta = ${delta}: ` +
    `even noise multiplier z = ${z} gives epsilon ${eps}${floor}`
  )
}
