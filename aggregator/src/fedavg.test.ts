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

  it('refuses a delta of the wrong size', () => {
    expect(() => new RoundSum(3).add(new Float32Array(2))).toThrow(RangeError)
  })
})
