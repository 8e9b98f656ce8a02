import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bigIntToBytes, bytesToBigInt, FIELD_PRIME, fieldInv, fieldMod, fieldMul } from './field.js'
import { combineShares, interpolateAt, splitSecret } from './shamir.js'

const secret32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('GF(2^521 − 1)', () => {
  it('reduces like the % operator and inverts every non-zero element (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 1100n), max: 1n << 1100n }), (x) => {
        const want = ((x % FIELD_PRIME) + FIELD_PRIME) % FIELD_PRIME
        expect(fieldMod(x)).toBe(want)
        if (want !== 0n) expect(fieldMul(want, fieldInv(want))).toBe(1n)
      }),
    )
    expect(() => fieldInv(FIELD_PRIME)).toThrow(RangeError)
  })

  it('round-trips integers through bytes and refuses ones that do not fit', () => {
    expect(bytesToBigInt(bigIntToBytes(FIELD_PRIME - 1n, 66))).toBe(FIELD_PRIME - 1n)
    expect(() => bigIntToBytes(1n << 64n, 8)).toThrow(RangeError)
  })
})

describe('Shamir secret sharing', () => {
  it('any t of n shares reconstruct the secret (property)', () => {
    fc.assert(
      fc.property(
        secret32,
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))),
        (secret, [n, t, order]) => {
          const shares = splitSecret(secret, t, [...Array(n).keys()].map((i) => i + 1))
          const pick = order.slice(0, t).map((i) => shares[i]!)
          expect(Array.from(combineShares(pick, t, 32))).toEqual(Array.from(secret))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('t − 1 shares say nothing: every candidate secret is consistent with them (property)', () => {
    // Fix t − 1 real shares. For ANY candidate c, the polynomial through (0, c) and those shares
    // has degree ≤ t − 1, so some t-th share completes them to a sharing of c: the t − 1 shares
    // rule no secret out (Shamir's perfect secrecy).
    fc.assert(
      fc.property(secret32, secret32, fc.integer({ min: 2, max: 8 }), (secret, candidate, t) => {
        const shares = splitSecret(secret, t, [...Array(t).keys()].map((i) => i + 1))
        const known = shares.slice(0, t - 1)
        // The t-th share of the polynomial through (0, candidate) and the known shares …
        const y = interpolateAt([{ x: 0, y: bigIntToBytes(bytesToBigInt(candidate), 66) }, ...known], t)
        const forged = [...known, { x: t, y: bigIntToBytes(y, 66) }]
        // … completes them to a valid sharing of the candidate instead of the secret.
        expect(Array.from(combineShares(forged, t, 32))).toEqual(Array.from(candidate))
        expect(known.length).toBe(t - 1)
      }),
      { numRuns: 20 },
    )
    expect(() => combineShares(splitSecret(new Uint8Array(32), 3, [1, 2, 3]).slice(0, 2), 3, 32)).toThrow(RangeError)
  })

  it('refuses mixed, repeated or malformed shares', () => {
    const a = splitSecret(new Uint8Array(32).fill(1), 3, [1, 2, 3, 4])
    const b = splitSecret(new Uint8Array(32).fill(2), 3, [1, 2, 3, 4])
    expect(() => combineShares([a[0]!, a[1]!, b[2]!], 3, 32)).toThrow(/different secrets/)
    expect(() => combineShares([a[0]!, a[0]!, a[1]!], 3, 32)).toThrow(/twice/)
    expect(() => combineShares([a[0]!, a[1]!, { x: 3, y: new Uint8Array(5) }], 3, 32)).toThrow(/66 bytes/)
    expect(() => splitSecret(new Uint8Array(32), 5, [1, 2, 3])).toThrow(RangeError)
    expect(() => splitSecret(new Uint8Array(32), 2, [0, 1])).toThrow(RangeError)
  })
})
