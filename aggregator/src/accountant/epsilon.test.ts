import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  Conversion,
  EXTENDED_ORDERS,
  INTEGER_ORDERS,
  computeEpsilon,
  computeEpsilonForSteps,
  epsilonFromRdp,
} from './index.js'
import type { EpsilonQuery, EpsilonResult, MechanismStep } from './index.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

interface ReferenceRow {
  q: number
  noiseMultiplier: number
  rounds: number
  delta: number
  epsilon: number
  bestOrder: number
}

/** ../shared/privacy/rdp_reference.csv: ε of dp_accounting with integer orders (see ../shared/README.md). */
function readReference(): ReferenceRow[] {
  const text = readFileSync(resolve(repoRoot, '../shared/privacy/rdp_reference.csv'), 'utf8')
  const [header, ...lines] = text.trim().split(/\r?\n/)
  expect(header).toBe('q,noise_multiplier,rounds,delta,epsilon,best_order')
  return lines.map((line) => {
    const [q = NaN, noiseMultiplier = NaN, rounds = NaN, delta = NaN, epsilon = NaN, bestOrder = NaN] =
      line.split(',').map(Number)
    return { q, noiseMultiplier, rounds, delta, epsilon, bestOrder }
  })
}

const reference = readReference()
const label = (r: ReferenceRow): string =>
  `q=${r.q} z=${r.noiseMultiplier} T=${r.rounds} δ=${r.delta} → ε=${r.epsilon}`

describe('computeEpsilon against rdp_reference.csv', () => {
  it('has all 160 rows', () => expect(reference).toHaveLength(160))

  it.each(reference.map((r) => [label(r), r] as const))('%s', (_, row) => {
    const { epsilon } = computeEpsilon(row)
    // The project's band: never above the reference by more than 0.5 %, never below by 10 %.
    expect(epsilon).toBeLessThanOrEqual(row.epsilon * 1.005)
    expect(epsilon).toBeGreaterThanOrEqual(row.epsilon * 0.9)
  })

  it('reproduces the reference and its best order with the same integer orders', () => {
    let maxDeviation = 0
    for (const row of reference) {
      const { epsilon, order } = computeEpsilon({ ...row, orders: INTEGER_ORDERS })
      maxDeviation = Math.max(maxDeviation, Math.abs(epsilon - row.epsilon) / row.epsilon)
      expect(order, label(row)).toBe(row.bestOrder)
    }
    // The CSV prints 6 decimals; measured 6.1e-6 (see docs/PRIVACY-ACCOUNTING.md).
    expect(maxDeviation).toBeLessThan(1e-5)
  })

  it('with fractional orders too is never above the reference (it may be well below)', () => {
    for (const row of reference) {
      const { epsilon } = computeEpsilon({ ...row, orders: EXTENDED_ORDERS })
      expect(epsilon, label(row)).toBeLessThanOrEqual(row.epsilon * 1.005)
    }
  })
})

describe('computeEpsilon', () => {
  const mnist = { q: 256 / 60000, noiseMultiplier: 1.1, rounds: 14062, delta: 1e-5 }

  it("gives TF Privacy's MNIST figure 3.01 with the classic conversion", () => {
    const { epsilon, order } = computeEpsilon({ ...mnist, conversion: Conversion.Classic })
    expect(Math.abs(epsilon - 3.01)).toBeLessThanOrEqual(0.01)
    expect(order).toBe(9)
    // The improved conversion (dp_accounting's) is tighter.
    expect(computeEpsilon(mnist).epsilon).toBeCloseTo(2.597, 3)
  })

  it('costs nothing at q = 0 or after 0 rounds, with either conversion', () => {
    for (const conversion of [Conversion.Improved, Conversion.Classic]) {
      expect(computeEpsilon({ q: 0, noiseMultiplier: 1, rounds: 100, delta: 1e-5, conversion }).epsilon).toBe(0)
      expect(computeEpsilon({ q: 0.5, noiseMultiplier: 0, rounds: 0, delta: 1e-5, conversion }).epsilon).toBe(0)
    }
  })

  it('is +Infinity without noise', () => {
    expect(computeEpsilon({ q: 0.01, noiseMultiplier: 0, rounds: 1, delta: 1e-5 }).epsilon).toBe(Infinity)
  })

  it('at q = 1 is the plain Gaussian mechanism, RDP = T·α/(2z²)', () => {
    const z = 1.3
    const rounds = 7
    const delta = 1e-6
    let best = Infinity
    for (const a of INTEGER_ORDERS) {
      const rdp = (rounds * a) / (2 * z * z)
      best = Math.min(best, rdp + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1))
    }
    expect(computeEpsilon({ q: 1, noiseMultiplier: z, rounds, delta }).epsilon).toBeCloseTo(best, 12)
  })

  it('rejects invalid input with a RangeError that says what is wrong', () => {
    const ok = { q: 0.01, noiseMultiplier: 1, rounds: 10, delta: 1e-5 }
    expect(() => computeEpsilon({ ...ok, q: 2 })).toThrow(/sampling rate q must be in \[0, 1\]/)
    expect(() => computeEpsilon({ ...ok, noiseMultiplier: -0.5 })).toThrow(/noise multiplier z/)
    expect(() => computeEpsilon({ ...ok, rounds: 1.5 })).toThrow(/rounds must be an integer ≥ 0, got 1.5/)
    expect(() => computeEpsilon({ ...ok, rounds: -1 })).toThrow(RangeError)
    expect(() => computeEpsilon({ ...ok, delta: 0 })).toThrow(/delta must be in \(0, 1\), got 0/)
    expect(() => computeEpsilon({ ...ok, delta: 1 })).toThrow(RangeError)
    expect(() => computeEpsilon({ ...ok, orders: [] })).toThrow(/at least one Rényi order/)
    expect(() => computeEpsilon({ ...ok, orders: [0.5, 2] })).toThrow(/Rényi order must be/)
    expect(() => epsilonFromRdp([2, 3], [0.1], 1e-5)).toThrow(/one RDP value per order/)
  })

  it('grows with q and with rounds, falls with z (property)', () => {
    const slack = (e: number): number => e * (1 + 1e-12) + 1e-12
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: 0.4, max: 10, noNaN: true }),
        fc.double({ min: 0.4, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        (qa, qb, za, zb, ta, tb) => {
          const [q1, q2] = qa <= qb ? [qa, qb] : [qb, qa]
          const [z1, z2] = za <= zb ? [za, zb] : [zb, za]
          const [t1, t2] = ta <= tb ? [ta, tb] : [tb, ta]
          const eps = (q: number, noiseMultiplier: number, rounds: number): number =>
            computeEpsilon({ q, noiseMultiplier, rounds, delta: 1e-5 }).epsilon
          expect(eps(q1, z1, t1)).toBeLessThanOrEqual(slack(eps(q2, z1, t1)))
          expect(eps(q1, z1, t1)).toBeLessThanOrEqual(slack(eps(q1, z1, t2)))
          expect(eps(q1, z2, t1)).toBeLessThanOrEqual(slack(eps(q1, z1, t1)))
        },
      ),
      { numRuns: 40 },
    )
  })

  it('has the documented public types', () => {
    expectTypeOf(computeEpsilon).parameter(0).toEqualTypeOf<EpsilonQuery>()
    expectTypeOf(computeEpsilon).returns.toEqualTypeOf<EpsilonResult>()
    expectTypeOf(computeEpsilonForSteps).parameter(0).toEqualTypeOf<readonly MechanismStep[]>()
    expectTypeOf<EpsilonResult>().toEqualTypeOf<{ readonly epsilon: number; readonly order: number }>()
    expectTypeOf<Conversion>().toEqualTypeOf<'improved' | 'classic'>()
  })
})

describe('computeEpsilonForSteps (heterogeneous rounds)', () => {
  const delta = 1e-6

  it('equals computeEpsilon for identical rounds, however they are grouped', () => {
    const whole = computeEpsilon({ q: 0.02, noiseMultiplier: 1.1, rounds: 300, delta })
    const split = computeEpsilonForSteps(
      [
        { q: 0.02, noiseMultiplier: 1.1, rounds: 100 },
        { q: 0.02, noiseMultiplier: 1.1, rounds: 199 },
        { q: 0.02, noiseMultiplier: 1.1 },
      ],
      delta,
    )
    expect(split.order).toBe(whole.order)
    expect(split.epsilon).toBeCloseTo(whole.epsilon, 10)
  })

  it('composes rounds with different parameters by adding RDP curves', () => {
    const a: MechanismStep = { q: 0.01, noiseMultiplier: 1.5, rounds: 500 }
    const b: MechanismStep = { q: 0.05, noiseMultiplier: 0.9, rounds: 20 }
    const both = computeEpsilonForSteps([a, b], delta).epsilon
    expect(computeEpsilonForSteps([b, a], delta).epsilon).toBe(both)
    expect(both).toBeGreaterThan(computeEpsilonForSteps([a], delta).epsilon)
    expect(both).toBeGreaterThan(computeEpsilonForSteps([b], delta).epsilon)
    // Composition in RDP is tighter than adding the two ε's.
    expect(both).toBeLessThan(
      computeEpsilonForSteps([a], delta / 2).epsilon + computeEpsilonForSteps([b], delta / 2).epsilon,
    )
  })

  it('is 0 for an empty ledger and ignores rounds that sampled nobody', () => {
    expect(computeEpsilonForSteps([], delta).epsilon).toBe(0)
    const one = computeEpsilonForSteps([{ q: 0.1, noiseMultiplier: 2 }], delta).epsilon
    const withIdle = computeEpsilonForSteps(
      [
        { q: 0.1, noiseMultiplier: 2 },
        { q: 0, noiseMultiplier: 0, rounds: 50 },
        { q: 0.3, noiseMultiplier: 0, rounds: 0 },
      ],
      delta,
    ).epsilon
    expect(withIdle).toBe(one)
  })

  it('rejects an invalid step', () => {
    expect(() => computeEpsilonForSteps([{ q: 0.1, noiseMultiplier: 1, rounds: -2 }], delta)).toThrow(RangeError)
    expect(() => computeEpsilonForSteps([{ q: 0.1, noiseMultiplier: Number.NaN }], delta)).toThrow(RangeError)
  })
})
