/**
 * Arithmetic in the prime field GF(p), p = 2^521 − 1 (the Mersenne prime M521, also the field of
 * NIST P-521), for Shamir secret sharing. A 256-bit secret (an ECDH scalar, an AES key) fits in
 * one element, so a secret is shared as a single polynomial rather than cut into pieces.
 */
import type { RandomFill } from '../noise.js'

/** The field prime 2^521 − 1. */
export const FIELD_PRIME = (1n << 521n) - 1n
/** Bytes of one field element on the wire (⌈521 / 8⌉). */
export const FIELD_BYTES = 66

/**
 * Reduces any integer into [0, p). p is a Mersenne prime, so x mod p folds the high bits onto the
 * low ones (2^521 ≡ 1) instead of dividing.
 * @example fieldMod(FIELD_PRIME + 5n) // 5n
 */
export function fieldMod(x: bigint): bigint {
  let v = x
  if (v < 0n) v = (v % FIELD_PRIME) + FIELD_PRIME
  while (v >> 521n !== 0n) v = (v & FIELD_PRIME) + (v >> 521n)
  return v === FIELD_PRIME ? 0n : v
}

/** (a + b) mod p for a, b in [0, p). */
export function fieldAdd(a: bigint, b: bigint): bigint {
  const s = a + b
  return s >= FIELD_PRIME ? s - FIELD_PRIME : s
}

/** (a − b) mod p for a, b in [0, p). */
export function fieldSub(a: bigint, b: bigint): bigint {
  const d = a - b
  return d < 0n ? d + FIELD_PRIME : d
}

/** a · b mod p. */
export function fieldMul(a: bigint, b: bigint): bigint {
  return fieldMod(a * b)
}

/**
 * Multiplicative inverse by the extended Euclidean algorithm.
 * @throws RangeError for 0, which has none
 * @example fieldMul(3n, fieldInv(3n)) // 1n
 */
export function fieldInv(a: bigint): bigint {
  let r0 = FIELD_PRIME
  let r1 = fieldMod(a)
  if (r1 === 0n) throw new RangeError('0 has no inverse in the field')
  let t0 = 0n
  let t1 = 1n
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[t0, t1] = [t1, t0 - q * t1]
  }
  return fieldMod(t0)
}

/** Big-endian bytes → integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n
  for (const b of bytes) x = (x << 8n) | BigInt(b)
  return x
}

/**
 * Integer → big-endian bytes of exactly `length` bytes.
 * @throws RangeError when the integer does not fit
 */
export function bigIntToBytes(x: bigint, length: number): Uint8Array<ArrayBuffer> {
  if (x < 0n) throw new RangeError('negative integers have no byte encoding here')
  const out = new Uint8Array(length)
  let v = x
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  if (v !== 0n) throw new RangeError(`integer does not fit in ${length} bytes`)
  return out
}

/**
 * A uniformly random field element from a cryptographic source: 521 random bits, redrawn in the
 * (2^−521-likely) case that they equal p, so there is no modulo bias.
 */
export function randomFieldElement(fill: RandomFill): bigint {
  const words = new Uint32Array(17) // 544 bits
  for (;;) {
    fill(words)
    let x = 0n
    for (const w of words) x = (x << 32n) | BigInt(w)
    x &= FIELD_PRIME // keep the low 521 bits
    if (x !== FIELD_PRIME) return x
  }
}
