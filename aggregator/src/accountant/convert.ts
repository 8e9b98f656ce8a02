/** RDP → (ε, δ) conversion minimised over orders: Canonne–Kamath–Steinke 2020 (default) or Mironov 2017. */

import { checkDelta, checkOrder } from './validate.js'

/**
 * Which RDP-to-(ε, δ) conversion to apply.
 * - `improved` (default): ε = rdp + log(1 − 1/α) − (log δ + log α)/(α − 1), Canonne, Kamath,
 *   Steinke 2020, "The Discrete Gaussian for Differential Privacy", Proposition 12 (arXiv
 *   2004.00010 v4); the bound dp_accounting's `compute_epsilon` applies
 *   (python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant.py).
 * - `classic`: ε = rdp + log(1/δ)/(α − 1), Mironov 2017, "Rényi Differential Privacy",
 *   Proposition 3; what TF Privacy printed before 2020 (e.g. 3.01 in its MNIST tutorial).
 * @example computeEpsilon({ q: 0.01, noiseMultiplier: 1, rounds: 10, delta: 1e-5, conversion: Conversion.Classic })
 */
export const Conversion = { Improved: 'improved', Classic: 'classic' } as const
export type Conversion = (typeof Conversion)[keyof typeof Conversion]

/** ε and the order that achieved it. */
export interface EpsilonResult {
  /** The smallest ε over the orders, ≥ 0 (+Infinity if every order has infinite RDP). */
  readonly epsilon: number
  /** The order α at which the minimum is reached (the first one on a tie). */
  readonly order: number
}

/**
 * ε at one order α for a total RDP `rdp`, as dp_accounting computes it. Returns +Infinity
 * when rdp is infinite, and for the improved conversion also at α ≤ 1.01, where
 * log(1 − 1/α) and 1/(α − 1) cancel badly (dp_accounting excludes those orders too).
 * @example epsilonAtOrder(8, 1.5, 1e-5) // improved conversion at α = 8
 */
export function epsilonAtOrder(
  order: number,
  rdp: number,
  delta: number,
  conversion: Conversion = Conversion.Improved,
): number {
  if (Number.isNaN(rdp) || rdp === Infinity) return Infinity
  // RDP 0 at any α > 1 means identical output distributions: (0, 0)-DP under either conversion.
  if (rdp <= 0) return 0
  // Kept exactly as TF Privacy had it, to reproduce old figures.
  if (conversion === Conversion.Classic) return rdp - Math.log(delta) / (order - 1)
  // TV distance ≤ √(1 − e^−KL) ≤ √(1 − e^−rdp) (Bretagnolle–Huber; KL ≤ RDP at every α > 1):
  // if δ exceeds it the mechanism is already (0, δ)-DP. dp_accounting applies the same test.
  if (delta * delta + Math.expm1(-rdp) > 0) return 0
  if (!(order > 1.01)) return Infinity
  return rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1)
}

/**
 * The smallest ε over all orders for a composed RDP curve and δ, and the order achieving it;
 * ties go to the first order, as numpy's argmin does.
 * @example
 * const orders = [2, 4, 8]
 * epsilonFromRdp(orders, computeRdp([{ q: 0.01, noiseMultiplier: 1.1, rounds: 1000 }], orders), 1e-5)
 */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: Conversion = Conversion.Improved,
): EpsilonResult {
  checkDelta(delta)
  if (orders.length !== rdp.length || orders.length === 0) {
    throw new RangeError(
      `need one RDP value per order (got ${orders.length} orders, ${rdp.length} values)`,
    )
  }
  let best = Infinity
  let bestOrder = orders[0] ?? NaN
  orders.forEach((order, i) => {
    checkOrder(order)
    const eps = epsilonAtOrder(order, rdp[i] ?? NaN, delta, conversion)
    if (eps < best) {
      best = eps
      bestOrder = order
    }
  })
  return { epsilon: Math.max(0, best), order: bestOrder }
}
