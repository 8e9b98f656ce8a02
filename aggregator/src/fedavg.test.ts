import { describe, expect, it } from 'vitest'
import { applyFedAvg, RoundSum } from './fedavg.js'

describe('FedAvg', () => {
  it('divides the sum by the expected cohort, not by the turnout', () => {
    const acc = new RoundSum(2)
    acc.add(Float32Array.from([1, 2]))
    acc.add(Float32Array.from([3, 4]))
    const next = applyFedAvg(Float32Array.from([10, 10]), acc.sum, { expectedClients: 4, serverLearningRate: 1 })
    expect(Array.from(next)).toEqual([11, 11.5])
    expect(acc.count).toBe(2)
  })

  it('applies the server learning rate', () => {
    const acc = new RoundSum(1)
    acc.add(Float32Array.from([2]))
    expect(Array.from(applyFedAvg(Float32Array.from([0]), acc.sum, { expectedClients: 1, serverLearningRate: 0.5 }))).toEqual([1])
  })

  it('adds every coordinate, whatever the length modulo the unrolling', () => {
    for (let n = 0; n <= 9; n++) {
      const acc = new RoundSum(n)
      const delta = Float32Array.from({ length: n }, (_, i) => i + 0.5)
      acc.add(delta)
      acc.addSum(Float64Array.from(delta, (x) => 2 * x), 2)
      expect(Array.from(acc.sum)).toEqual(Array.from(delta, (x) => 3 * x))
    }
  })

  it('clones into an independent sum with the same count', () => {
    const acc = new RoundSum(2)
    acc.add(Float32Array.from([1, 2]))
    const next = acc.clone()
    next.add(Float32Array.from([3, 4]))
    expect([Array.from(acc.sum), acc.count]).toEqual([[1, 2], 1])
    expect([Array.from(next.sum), next.count]).toEqual([[4, 6], 2])
  })

  it('refuses a delta of the wrong size', () => {
    expect(() => new RoundSum(3).add(new Float32Array(2))).toThrow(RangeError)
  })
})
