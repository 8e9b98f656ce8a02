/**
 * Shamir's t-of-n secret sharing over GF(2^521 − 1) (Shamir 1979, "How to share a secret"): a
 * secret is the constant term of a random polynomial of degree t − 1, each share its value at a
 * distinct non-zero point. Any t shares determine the secret by Lagrange interpolation at 0; any
 * t − 1 are uniformly distributed whatever the secret, so they reveal nothing about it.
 */
import { cryptoRandomFill, type RandomFill } from '../noise.js'
import {
  bigIntToBytes,
  bytesToBigInt,
  FIELD_BYTES,
  FIELD_PRIME,
  fieldAdd,
  fieldInv,
  fieldMul,
  fieldSub,
  randomFieldElement,
} from './field.js'

/** One share: the evaluation point x (≥ 1) and the value, FIELD_BYTES big-endian bytes. */
export interface Share {
  readonly x: number
  readonly y: Uint8Array
}

/** Largest secret in bytes: 65 bytes are always below 2^520 < p. */
export const MAX_SECRET_BYTES = 65

function checkPoints(xs: readonly number[], min = 1): void {
  const seen = new Set<number>()
  for (const x of xs) {
    if (!Number.isInteger(x) || x < min || x > 0xffff) throw new RangeError(`share point ${x} must be an integer in ${min}..65535`)
    if (seen.has(x)) throw new RangeError(`share point ${x} appears twice`)
    seen.add(x)
  }
}

/**
 * Splits `secret` into one share per point of `xs`, any `threshold` of which reconstruct it.
 * @example
 * const shares = splitSecret(key, 3, [1, 2, 3, 4, 5])
 * combineShares(shares.slice(1, 4), 3, key.length) // equals key
 */
export function splitSecret(secret: Uint8Array, threshold: number, xs: readonly number[], fill: RandomFill = cryptoRandomFill): Share[] {
  if (secret.length > MAX_SECRET_BYTES) throw new RangeError(`secret of ${secret.length} bytes exceeds ${MAX_SECRET_BYTES}`)
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw new RangeError(`threshold ${threshold} must be an integer in 1..${xs.length} (the number of shares)`)
  }
  checkPoints(xs)
  const coeffs = [bytesToBigInt(secret)]
  for (let i = 1; i < threshold; i++) coeffs.push(randomFieldElement(fill))
  return xs.map((x) => {
    // Horner's rule: c0 + x(c1 + x(c2 + …)).
    const bx = BigInt(x)
    let y = 0n
    for (let i = coeffs.length - 1; i >= 0; i--) y = fieldAdd(fieldMul(y, bx), coeffs[i]!)
    return { x, y: bigIntToBytes(y, FIELD_BYTES) }
  })
}

/**
 * Lagrange interpolation of the polynomial through `shares` (distinct points), evaluated at `at`:
 * f(at) = Σ_j y_j Π_{m≠j} (at − x_m) / (x_j − x_m). At 0 this is the secret.
 * Points may include 0 here (to interpolate through a known secret); shares never sit there.
 * @throws RangeError for repeated points or malformed values
 */
export function interpolateAt(shares: readonly Share[], at: number): bigint {
  checkPoints(shares.map((s) => s.x), 0)
  const points = shares.map((s) => {
    if (s.y.length !== FIELD_BYTES) throw new RangeError(`share value must be ${FIELD_BYTES} bytes, got ${s.y.length}`)
    const y = bytesToBigInt(s.y)
    if (y >= FIELD_PRIME) throw new RangeError('share value is not a field element')
    return { x: BigInt(s.x), y }
  })
  const a = BigInt(at)
  // Σ_j y_j·num_j/den_j kept as one fraction, so the whole sum costs a single inversion (an
  // extended Euclid on 521-bit numbers is the expensive step) instead of one per share.
  let accNum = 0n
  let accDen = 1n
  for (let j = 0; j < points.length; j++) {
    let num = 1n
    let den = 1n
    for (let m = 0; m < points.length; m++) {
      if (m === j) continue
      num = fieldMul(num, fieldSub(a, points[m]!.x))
      den = fieldMul(den, fieldSub(points[j]!.x, points[m]!.x))
    }
    accNum = fieldAdd(fieldMul(accNum, den), fieldMul(fieldMul(points[j]!.y, num), accDen))
    accDen = fieldMul(accDen, den)
  }
  return fieldMul(accNum, fieldInv(accDen))
}

/**
 * Reconstructs a secret of `secretLength` bytes from at least `threshold` shares (the first
 * `threshold` are used).
 * @throws RangeError with fewer shares than the threshold, repeated points, or malformed values;
 *   Error when the interpolated value is not a secret of that length (shares of different
 *   secrets, or tampered ones)
 */
export function combineShares(shares: readonly Share[], threshold: number, secretLength: number): Uint8Array<ArrayBuffer> {
  if (shares.length < threshold) throw new RangeError(`${shares.length} shares cannot reconstruct a ${threshold}-of-n secret`)
  const used = shares.slice(0, threshold)
  checkPoints(used.map((s) => s.x))
  const secret = interpolateAt(used, 0)
  try {
    return bigIntToBytes(secret, secretLength)
  } catch (e) {
    throw new Error(`shares do not interpolate to a ${secretLength}-byte secret: they belong to different secrets or were altered`, { cause: e })
  }
}
