import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyFedAvg } from './fedavg.js'
import { applyFedAdam, applyFedAvgM, FEDADAM_DEFAULTS, FEDAVGM_DEFAULTS, serverStep, type FedAdamState, type ServerMomentumState } from './server-optimizer.js'

const adam = { expectedClients: 2, serverLearningRate: 0.1, ...FEDADAM_DEFAULTS }

describe('FedAdam (Reddi et al. 2021, Alg. 2)', () => {
  it('follows m ← β₁m + (1−β₁)Δ, v ← β₂v + (1−β₂)Δ², w ← w + η·m/(√v + τ) over two rounds', () => {
    const w0 = Float32Array.from([1, -1])
    const first = applyFedAdam(w0, Float64Array.from([0.4, -0.2]), adam, null)
    // Round 1: Δ = [0.2, −0.1]; m = 0.1Δ; v = 0.99τ² + 0.01Δ².
    const { beta1, beta2, tau } = FEDADAM_DEFAULTS
    const ref = { m: [0, 0], v: [tau * tau, tau * tau], w: [1, -1] }
    const step = (d: number[]): void => {
      d.forEach((di, i) => {
        ref.m[i] = beta1 * ref.m[i]! + (1 - beta1) * di
        ref.v[i] = beta2 * ref.v[i]! + (1 - beta2) * di * di
        ref.w[i] = ref.w[i]! + (0.1 * ref.m[i]!) / (Math.sqrt(ref.v[i]!) + tau)
      })
    }
    step([0.2, -0.1])
    expect(Array.from(first.weights)).toEqual(ref.w.map((x) => expect.closeTo(x, 6)))
    expect(first.state.step).toBe(1)
    const second = applyFedAdam(first.weights, Float64Array.from([-0.2, -0.2]), adam, first.state)
    step([-0.1, -0.1])
    expect(Array.from(second.weights)).toEqual(ref.w.map((x) => expect.closeTo(x, 6)))
    expect(Array.from(second.state.m)).toEqual(ref.m.map((x) => expect.closeTo(x, 6)))
    expect(Array.from(second.state.v)).toEqual(ref.v.map((x) => expect.closeTo(x, 9)))
    expect(second.state.step).toBe(2)
  })

  it('leaves its inputs untouched, so a failed publish can retry from the stored state', () => {
    const w = Float32Array.from([1, 2])
    const state: FedAdamState = { step: 3, m: Float32Array.from([0.1, 0.1]), v: Float32Array.from([0.01, 0.01]) }
    applyFedAdam(w, Float64Array.from([1, 1]), adam, state)
    expect(Array.from(w)).toEqual([1, 2])
    expect(Array.from(state.m)).toEqual([Math.fround(0.1), Math.fround(0.1)])
    expect(state.step).toBe(3)
  })

  it('moves each weight by at most η on the first round, in the direction of the average delta (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 }), (d) => {
        const w = new Float32Array(d.length)
        const { weights } = applyFedAdam(w, Float64Array.from(d), { ...adam, expectedClients: 1 }, null)
        weights.forEach((x, i) => {
          // |m|/(√v + τ) = 0.1|Δ|/(√(0.99τ² + 0.01Δ²) + τ) < 1
          expect(Math.abs(x)).toBeLessThanOrEqual(0.1 * (1 + 1e-6))
          if (Math.abs(d[i]!) > 1e-6) expect(Math.sign(x)).toBe(Math.sign(d[i]!))
        })
      }),
    )
  })

  it('refuses state of another model size', () => {
    expect(() => applyFedAdam(new Float32Array(3), new Float64Array(3), adam, { step: 1, m: new Float32Array(2), v: new Float32Array(2) })).toThrow(RangeError)
  })
})

describe('serverStep', () => {
  it('is exactly FedAvg with its learning rate, keeping no state', () => {
    const w = Float32Array.from([1, 1])
    const sum = Float64Array.from([3, -3])
    const out = serverStep(w, sum, { optimizer: 'fedavg', expectedClients: 3, serverLearningRate: 0.5 }, null)
    expect(out.state).toBeNull()
    expect(Array.from(out.weights)).toEqual(Array.from(applyFedAvg(w, sum, { expectedClients: 3, serverLearningRate: 0.5 })))
  })

  it('threads FedAdam state from round to round', () => {
    const s = { optimizer: 'fedadam', ...adam } as const
    const a = serverStep(new Float32Array(1), Float64Array.from([1]), s, null)
    const b = serverStep(a.weights, Float64Array.from([1]), s, a.state)
    expect(b.state?.step).toBe(2)
  })
})

describe('FedAvgM (Hsu et al. 2019)', () => {
  const avgm = { expectedClients: 2, serverLearningRate: 0.5, ...FEDAVGM_DEFAULTS }

  it('follows v ← βv + Δ, w ← w + η·v over two rounds', () => {
    const first = applyFedAvgM(Float32Array.from([1, -1]), Float64Array.from([0.4, -0.2]), avgm, null)
    // Round 1: Δ = [0.2, −0.1], v = Δ, w = w + 0.5·v.
    expect(Array.from(first.weights)).toEqual([1.1, -1.05].map((x) => expect.closeTo(x, 6)))
    const second = applyFedAvgM(first.weights, Float64Array.from([0.2, 0]), avgm, first.state)
    // Round 2: Δ = [0.1, 0], v = 0.9·[0.2, −0.1] + Δ = [0.28, −0.09].
    expect(Array.from(second.state.m)).toEqual([0.28, -0.09].map((x) => expect.closeTo(x, 6)))
    expect(Array.from(second.weights)).toEqual([1.24, -1.095].map((x) => expect.closeTo(x, 6)))
    expect(second.state.step).toBe(2)
  })

  it('is FedAvg with β = 0, and steps η/(1 − β) times a steady mean delta in the limit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 10 }), (d) => {
        const w = new Float32Array(d.length)
        const sum = Float64Array.from(d)
        const plain = applyFedAvg(w, sum, avgm)
        expect(Array.from(applyFedAvgM(w, sum, { ...avgm, momentum: 0 }, null).weights)).toEqual(Array.from(plain))
        let state: ServerMomentumState | null = null
        let before: Float32Array = w
        let after: Float32Array = w
        for (let r = 0; r < 200; r++) {
          before = after
          ;({ weights: after, state } = applyFedAvgM(after, sum, avgm, state))
        }
        after.forEach((x, i) => expect(x - before[i]!).toBeCloseTo((0.5 * d[i]!) / 2 / (1 - 0.9), 2))
      }),
    )
  })

  it('leaves its inputs untouched and refuses a bad β or state of another size', () => {
    const state: ServerMomentumState = { step: 1, m: Float32Array.from([0.5]) }
    const w = Float32Array.from([1])
    applyFedAvgM(w, Float64Array.from([1]), avgm, state)
    expect(Array.from(state.m)).toEqual([0.5])
    expect(Array.from(w)).toEqual([1])
    expect(() => applyFedAvgM(w, Float64Array.from([1]), { ...avgm, momentum: 1 }, null)).toThrow(/momentum/)
    expect(() => applyFedAvgM(new Float32Array(2), new Float64Array(2), avgm, state)).toThrow(RangeError)
  })

  it('serverStep threads its velocity, and starts afresh from state FedAdam left', () => {
    const s = { optimizer: 'fedavgm', ...avgm } as const
    const a = serverStep(new Float32Array(1), Float64Array.from([2]), s, null)
    const b = serverStep(a.weights, Float64Array.from([2]), s, a.state)
    expect(b.state?.step).toBe(2)
    expect(b.weights[0]).toBeCloseTo(0.5 + 0.5 * 1.9, 6)
    const fromAdam = serverStep(new Float32Array(1), Float64Array.from([2]), s, { step: 7, m: Float32Array.from([100]), v: Float32Array.from([1]) })
    expect(fromAdam.state?.step).toBe(1)
    expect(fromAdam.weights[0]).toBeCloseTo(0.5, 6)
  })
})
