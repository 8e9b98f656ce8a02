/** Argument checks shared by the accountant's entry points: each throws a RangeError naming the bad value. */

/** Throws unless 0 ≤ q ≤ 1. */
export function checkSamplingRate(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate q must be in [0, 1], got ${q}`)
}

/** Throws unless z is a finite number ≥ 0. */
export function checkNoiseMultiplier(noiseMultiplier: number): void {
  if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier))) {
    throw new RangeError(`noise multiplier z must be a finite number ≥ 0, got ${noiseMultiplier}`)
  }
}

/** Throws unless rounds is an integer ≥ 0. */
export function checkRounds(rounds: number): void {
  if (!(Number.isSafeInteger(rounds) && rounds >= 0)) {
    throw new RangeError(`rounds must be an integer ≥ 0, got ${rounds}`)
  }
}

/** Throws unless 0 < δ < 1. */
export function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`)
}

/** Throws unless ε is a finite number > 0 (a target for the inverse accountant). */
export function checkTargetEpsilon(epsilon: number): void {
  if (!(epsilon > 0 && Number.isFinite(epsilon))) {
    throw new RangeError(`target epsilon must be a finite number > 0, got ${epsilon}`)
  }
}

/** Throws unless every order is a finite number > 1 and there is at least one. */
export function checkOrders(orders: readonly number[]): void {
  if (orders.length === 0) throw new RangeError('need at least one Rényi order')
  for (const a of orders) checkOrder(a)
}

/** Throws unless α is a finite number > 1. */
export function checkOrder(order: number): void {
  if (!(order > 1 && Number.isFinite(order))) {
    throw new RangeError(`Rényi order must be a finite number > 1, got ${order}`)
  }
}
