import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { l2Norm } from '../clip.js'
import { PayloadRejectedError } from '../errors.js'
import { addGaussianNoise, seededRandomFill } from '../noise.js'
import { privatizeInPlace } from '../privatize.js'
import { seededDelta } from '../testing/payloads.js'
import { blockCount, dequantise, maxQuantisationShift, QUANT_BLOCK, QUANT_LEVELS, quantise, valueBytes, type QuantisedEncoding } from './update-encoding.js'

const ENCODINGS: readonly QuantisedEncoding[] = ['int8', 'int4']

function reasonOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (e instanceof PayloadRejectedError) return `${e.reason}: ${e.message}`
    throw e
  }
  throw new Error('expected a rejection')
}

describe.each(ENCODINGS)('%s quantisation', (e) => {
  const L = QUANT_LEVELS[e]

  it('round-trips: every value within one step of its block, block maxima exact, zero blocks zero', () => {
    const x = seededDelta(3 * QUANT_BLOCK + 17, 1, 2)
    x.fill(0, QUANT_BLOCK, 2 * QUANT_BLOCK) // an all-zero block
    const q = quantise(x, e, seededRandomFill(2))
    expect(q.scales.length).toBe(4)
    expect(q.codes.length).toBe(valueBytes(x.length, e) - 4 * 4)
    const back = dequantise(q, e, x.length)
    expect(q.scales[1]).toBe(0)
    for (let b = 0; b < q.scales.length; b++) {
      const block = x.subarray(b * QUANT_BLOCK, (b + 1) * QUANT_BLOCK)
      const max = Math.max(...Array.from(block, Math.abs))
      expect(q.scales[b]).toBe(Math.fround(max / L))
    }
    for (let i = 0; i < x.length; i++) {
      const s = q.scales[Math.floor(i / QUANT_BLOCK)]!
      expect(Math.abs(back[i]! - x[i]!), `value ${i}`).toBeLessThanOrEqual(s * (1 + 1e-6))
      // A value on the grid (the block's max-abs) comes back as itself, up to float32 rounding.
      expect(Number.isInteger(Math.round(back[i]! / (s || 1)))).toBe(true)
    }
  })

  it('is unbiased: the mean of many quantisations of a fixed vector converges to it', () => {
    // A fixed vector with values all over the grid (including exact grid points and the block max).
    const x = seededDelta(2 * QUANT_BLOCK, 3, 1)
    const runs = 4000
    const fill = seededRandomFill(4)
    const mean = new Float64Array(x.length)
    for (let r = 0; r < runs; r++) {
      const back = dequantise(quantise(x, e, fill), e, x.length)
      for (let i = 0; i < x.length; i++) mean[i] = mean[i]! + back[i]! / runs
    }
    // Each value rounds between two grid points s apart: its rounding error has std ≤ s/2, so
    // the mean of `runs` has std ≤ s / (2√runs). 6 of those bounds every one of 512 values with
    // room to spare; a biased rounding (e.g. to nearest) misses by up to s/2 ≫ that.
    let worst = 0
    for (let i = 0; i < x.length; i++) {
      const s = quantise(x, e, fill).scales[Math.floor(i / QUANT_BLOCK)]!
      worst = Math.max(worst, Math.abs(mean[i]! - x[i]!) / (s / (2 * Math.sqrt(runs))))
    }
    expect(worst).toBeLessThan(6)
    // And the vector as a whole: the mean error is far below one step.
    const err = Float32Array.from(mean, (m, i) => m - x[i]!)
    expect(l2Norm(err)).toBeLessThan(0.05 * l2Norm(x) / L)
  })

  it('keeps any finite vector within one step per value (property)', () => {
    fc.assert(
      fc.property(fc.float32Array({ noNaN: true, noDefaultInfinity: true, minLength: 1, maxLength: 700 }), fc.integer(), (xs, seed) => {
        const x = Float32Array.from(xs, (v) => (Object.is(v, -0) ? 0 : v))
        const q = quantise(x, e, seededRandomFill(seed))
        const back = dequantise(q, e, x.length)
        for (let i = 0; i < x.length; i++) {
          const s = q.scales[Math.floor(i / QUANT_BLOCK)]!
          // 1e-43: a block whose max-abs divided by L underflows float32 gets scale 0.
          if (!(Math.abs(back[i]! - x[i]!) <= s * (1 + 1e-6) + 1e-43)) return false
        }
        return true
      }),
      { numRuns: 200, seed: 11 },
    )
  })

  it('moves an honest update’s norm by less than maxQuantisationShift, and by far less typically', () => {
    const dims = 20_000
    const round = { clipNorm: 1, noiseMultiplier: 0.3, noiseMode: 'local', minClients: 1 } as const
    for (const seed of [1, 2, 3]) {
      const x = seededDelta(dims, seed, 0.05)
      privatizeInPlace(x, round, seededRandomFill(seed + 10))
      const back = dequantise(quantise(x, e, seededRandomFill(seed + 20)), e, dims)
      const moved = l2Norm(Float32Array.from(back, (b, i) => b - x[i]!))
      const bound = maxQuantisationShift(e, 1, 0.3, dims)
      expect(moved).toBeLessThan(bound)
      expect(moved, 'the bound is conservative, not wildly off').toBeGreaterThan(bound / 20)
    }
  })

  it('refuses a negative or non-finite scale, an unused code, a code in a zero block, and wrong lengths', () => {
    const x = seededDelta(QUANT_BLOCK + 3, 5, 1)
    const good = quantise(x, e, seededRandomFill(6))
    const neg = { scales: good.scales.slice(), codes: good.codes }
    neg.scales[1] = -neg.scales[1]!
    expect(reasonOf(() => dequantise(neg, e, x.length))).toMatch(/^malformed: scale of block 1 .* never negative/)
    const nan = { scales: good.scales.slice(), codes: good.codes }
    nan.scales[0] = Number.NaN
    expect(reasonOf(() => dequantise(nan, e, x.length))).toMatch(/^non_finite: scale of block 0 is NaN/)
    const unused = { scales: good.scales, codes: good.codes.slice() }
    unused.codes[0] = e === 'int8' ? 0x80 : (unused.codes[0]! & 0xf0) | 0x8
    expect(reasonOf(() => dequantise(unused, e, x.length))).toMatch(new RegExp(`^malformed: value 0 has code -${L + 1}, outside −${L}..${L}`))
    const zero = { scales: good.scales.slice(), codes: good.codes.slice() }
    zero.scales[0] = 0
    zero.codes[0] = 1
    expect(reasonOf(() => dequantise(zero, e, x.length))).toMatch(/^malformed: value 0 has code 1 in block 0 of scale 0/)
    expect(reasonOf(() => dequantise({ scales: good.scales, codes: good.codes.subarray(1) }, e, x.length))).toMatch(/^malformed: .* need 2 scales/)
    expect(reasonOf(() => dequantise({ scales: good.scales.subarray(1), codes: good.codes }, e, x.length))).toMatch(/^malformed/)
  })
})

describe('int4 packing', () => {
  it('puts even values in the low nibble and needs a zero padding nibble after an odd count', () => {
    const x = Float32Array.of(7, -7, 0, 7, -7) // every value on the grid: codes are exact
    const q = quantise(x, 'int4', seededRandomFill(1))
    expect(q.scales[0]).toBe(1)
    expect(Array.from(q.codes)).toEqual([0x97, 0x70, 0x09])
    expect(Array.from(dequantise(q, 'int4', 5))).toEqual([7, -7, 0, 7, -7])
    const padded = { scales: q.scales, codes: Uint8Array.of(0x97, 0x70, 0x19) }
    expect(reasonOf(() => dequantise(padded, 'int4', 5))).toMatch(/padding nibble/)
  })

  it('sizes: one scale per block, 1 or ½ byte a value', () => {
    expect(blockCount(QUANT_BLOCK * 3 + 1)).toBe(4)
    expect(valueBytes(1001, 'float32')).toBe(4004)
    expect(valueBytes(1001, 'int8')).toBe(16 + 1001)
    expect(valueBytes(1001, 'int4')).toBe(16 + 501)
  })
})

describe('stochastic rounding randomness', () => {
  it('draws from the platform CSPRNG by default: two quantisations of one vector differ', () => {
    const x = new Float32Array(QUANT_BLOCK)
    addGaussianNoise(x, 1, seededRandomFill(9))
    const a = quantise(x, 'int4')
    const b = quantise(x, 'int4')
    expect(Buffer.compare(Buffer.from(a.codes), Buffer.from(b.codes))).not.toBe(0)
  })
})
