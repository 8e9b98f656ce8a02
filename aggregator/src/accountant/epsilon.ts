/** ε of rounds of the Poisson-subsampled Gaussian mechanism: per-step RDP (cached), composed, converted. */

import { Conversion, epsilonFromRdp } from './convert.js'
import type { EpsilonResult } from './convert.js'
import { DEFAULT_ORDERS } from './orders.js'
import { rdpSubsampledGaussian } from './rdp.js'
import {
  checkDelta,
  checkNoiseMultiplier,
  checkOrders,
  checkRounds,
  checkSamplingRate,
} from './validate.js'

/** Options shared by every accountant entry point; defaults in {@link ACCOUNTANT_DEFAULTS}. */
export interface AccountantOptions {
  /** Rényi orders to minimise over (each a finite number > 1). Default {@link DEFAULT_ORDERS}. */
  readonly orders?: readonly number[]
  /** RDP → (ε, δ) conversion. Default `Conversion.Improved`. */
  readonly conversion?: Conversion
}

/**
 * Defaults for {@link AccountantOptions}.
 * @example ACCOUNTANT_DEFAULTS.conversion // 'improved'
 */
export const ACCOUNTANT_DEFAULTS = {
  orders: DEFAULT_ORDERS,
  conversion: Conversion.Improved,
} as const satisfies Required<AccountantOptions>

/** One or more rounds run with the same parameters; a ledger is a list of these. */
export interface MechanismStep {
  /** Poisson sampling rate of the round: each device takes part with probability q ∈ [0, 1]. */
  readonly q: number
  /** Noise multiplier z = noise std on the sum / L2 clip norm, a finite number ≥ 0. */
  readonly noiseMultiplier: number
  /** How many rounds ran with these parameters, an integer ≥ 0. Default 1. */
  readonly rounds?: number
}

/** A training run of `rounds` identical rounds. */
export interface MechanismParams extends MechanismStep {
  readonly rounds: number
}

/** What {@link computeEpsilon} needs: the run, δ, and optionally orders and conversion. */
export interface EpsilonQuery extends MechanismParams, AccountantOptions {
  /** δ of the (ε, δ) guarantee, in (0, 1). */
  readonly delta: number
}

/** Per-step RDP curves kept per orders array and (q, z); the noise search revisits them. */
const perStepCache = new WeakMap<readonly number[], Map<string, readonly number[]>>()
/** Curves kept per orders array, oldest dropped first: a ledger has few distinct (q, z). */
const PER_STEP_CACHE_SIZE = 256

/**
 * RDP of ONE round at every order, the expensive part, memoised per (q, z) and orders array
 * (pass the same array, e.g. {@link DEFAULT_ORDERS}, to hit the cache).
 * @example perStepRdp(0.01, 1.1) // one value per entry of DEFAULT_ORDERS
 */
export function perStepRdp(
  q: number,
  noiseMultiplier: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): readonly number[] {
  checkSamplingRate(q)
  checkNoiseMultiplier(noiseMultiplier)
  checkOrders(orders)
  let byParams = perStepCache.get(orders)
  if (byParams === undefined) {
    byParams = new Map()
    perStepCache.set(orders, byParams)
  }
  const key = `${q}:${noiseMultiplier}`
  const hit = byParams.get(key)
  if (hit !== undefined) return hit
  const curve = Object.freeze(orders.map((a) => rdpSubsampledGaussian(q, noiseMultiplier, a)))
  if (byParams.size >= PER_STEP_CACHE_SIZE) {
    const oldest = byParams.keys().next()
    if (oldest.done !== true) byParams.delete(oldest.value)
  }
  byParams.set(key, curve)
  return curve
}

/**
 * Total RDP of a sequence of rounds, one value per order. RDP composes additively, also when
 * each round is chosen adaptively (Mironov 2017, "Rényi Differential Privacy", Proposition 1),
 * so rounds with different q and z simply add their curves.
 * @example computeRdp([{ q: 0.01, noiseMultiplier: 1.1, rounds: 1000 }], [2, 4, 8])
 */
export function computeRdp(
  steps: readonly MechanismStep[],
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  checkOrders(orders)
  const total = orders.map(() => 0)
  for (const { q, noiseMultiplier, rounds = 1 } of steps) {
    checkRounds(rounds)
    const curve = perStepRdp(q, noiseMultiplier, orders)
    // 0 rounds cost nothing even at z = 0, where 0 × ∞ would be NaN.
    if (rounds === 0) continue
    curve.forEach((r, i) => (total[i] = (total[i] ?? 0) + rounds * r))
  }
  return total
}

/**
 * ε for a sequence of rounds with differing sampling rates and noise multipliers (the server
 * ledger's case): per-step RDP composed over all of them, then converted at δ.
 * @example
 * computeEpsilonForSteps(
 *   [{ q: 0.01, noiseMultiplier: 1.2, rounds: 300 }, { q: 0.02, noiseMultiplier: 1.0 }],
 *   1e-6,
 * ) // { epsilon, order }
 */
export function computeEpsilonForSteps(
  steps: readonly MechanismStep[],
  delta: number,
  options: AccountantOptions = {},
): EpsilonResult {
  checkDelta(delta)
  const orders = options.orders ?? ACCOUNTANT_DEFAULTS.orders
  const conversion = options.conversion ?? ACCOUNTANT_DEFAULTS.conversion
  return epsilonFromRdp(orders, computeRdp(steps, orders), delta, conversion)
}

/**
 * ε after `rounds` rounds at sampling rate q and noise multiplier z, at the given δ, and the
 * best order. q = 0 or 0 rounds give ε = 0; z = 0 with q > 0 gives +Infinity.
 * @example
 * computeEpsilon({ q: 256 / 60000, noiseMultiplier: 1.1, rounds: 14062, delta: 1e-5 })
 * // { epsilon: 2.597…, order: 8 }; with conversion: 'classic' 3.009… (TF Privacy's MNIST figure)
 */
export function computeEpsilon(query: EpsilonQuery): EpsilonResult {
  const { q, noiseMultiplier, rounds, delta } = query
  checkRounds(rounds)
  return computeEpsilonForSteps([{ q, noiseMultiplier, rounds }], delta, query)
}
