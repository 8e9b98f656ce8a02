/** The Rényi orders the accountant minimises over, as frozen arrays. */

/** `count` evenly spaced values from `from` in steps of `step`. */
function steps(from: number, step: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i * step)
}

/**
 * The integer orders of the reference accountant behind `shared/privacy/rdp_reference.csv`:
 * 2, 3, …, 256 and 320, 384, …, 1024. These are the default orders (see
 * {@link DEFAULT_ORDERS} for why).
 * @example computeEpsilon({ q: 0.01, noiseMultiplier: 1, rounds: 100, delta: 1e-5, orders: INTEGER_ORDERS })
 */
export const INTEGER_ORDERS: readonly number[] = Object.freeze([
  ...steps(2, 1, 255),
  ...steps(320, 64, 12),
])

/**
 * The fractional orders of dp_accounting's and TF Privacy's usual grid, 1 + x/10 for x = 1…99
 * without the integers: 1.1, 1.2, …, 10.9. Written as (10 + x)/10 so each is the double
 * nearest its decimal.
 * @example FRACTIONAL_ORDERS[0] // 1.1
 */
export const FRACTIONAL_ORDERS: readonly number[] = Object.freeze(
  steps(1, 1, 99)
    .filter((x) => x % 10 !== 0)
    .map((x) => (10 + x) / 10),
)

/**
 * {@link FRACTIONAL_ORDERS} and {@link INTEGER_ORDERS} together, ascending. Gives the tightest
 * ε this accountant can prove: where the best order is small (little noise, many rounds) ε
 * drops by up to about a quarter against the integer grid (e.g. q = 0.01, z = 0.5,
 * 100 rounds, δ = 1e-6: 12.96 → 9.50 at α = 2.6). Every such value is a valid bound.
 * @example computeEpsilon({ q: 0.01, noiseMultiplier: 0.5, rounds: 100, delta: 1e-6, orders: EXTENDED_ORDERS })
 */
export const EXTENDED_ORDERS: readonly number[] = Object.freeze(
  [...FRACTIONAL_ORDERS, ...INTEGER_ORDERS].sort((a, b) => a - b),
)

/**
 * The orders used unless a caller passes others: {@link INTEGER_ORDERS}. The project has
 * agreed to stay within [−10 %, +0.5 %] of the integer-order reference accountant
 * (`shared/privacy/rdp_reference.csv`), and fractional orders break the lower edge in
 * low-noise regimes (−10.3 % on one row of that very file, q = 0.1, z = 0.8, 100 rounds, best
 * α = 2.4). Pass {@link EXTENDED_ORDERS} for the tighter figure.
 * @example DEFAULT_ORDERS.length // 267
 */
export const DEFAULT_ORDERS: readonly number[] = INTEGER_ORDERS
