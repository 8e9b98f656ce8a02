import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyFedAvg } from './fedavg.js'
import { applyFedAdam, FEDADAM_DEFAULTS, serverStep, type FedAdamState } from './server-optimizer.js'

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
