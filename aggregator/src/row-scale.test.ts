import { describe, expect, it } from 'vitest'
import type { ModelDescription } from './protocol/model-codec.js'
import { modelRowScales, noiseCappedMaxScale, ROW_SCALE_DEFAULTS, rowTouchScales, scaleRowsInPlace } from './row-scale.js'

describe('rowTouchScales', () => {
  it('gives a row 1 / P(a client touches it), from its share of the clicks', () => {
    // 100 clicks a client, a row with 1 % of the clicks: P = 1 − e^−1.
    const s = rowTouchScales([0, 99, 1], { clicksPerClient: 100, negativeDraws: 0, maxScale: 1000 })
    expect(s[0]).toBe(1)
    expect(s[1]).toBeCloseTo(1 / (1 - Math.exp(-99)), 5)
    expect(s[2]).toBeCloseTo(1 / (1 - Math.exp(-1)), 5)
  })

  it('counts uniformly drawn negatives as touches, and caps the scale', () => {
    const counts = [0, 1_000_000, 0, 0, 0]
    // A row without clicks is touched by negatives alone: 1 − e^(−draws / rows).
    const s = rowTouchScales(counts, { clicksPerClient: 10, negativeDraws: 0.4, maxScale: 1000 })
    expect(s[3]).toBeCloseTo(1 / (1 - Math.exp(-0.1)), 4)
    expect(rowTouchScales(counts, { clicksPerClient: 10, negativeDraws: 0.4, maxScale: 5 })[3]).toBe(5)
    expect(rowTouchScales(counts, { clicksPerClient: 10, negativeDraws: 0, maxScale: 7 })[2]).toBe(7)
  })

  it('is plain FedAvg at maxScale 1, and rejects what cannot be a count', () => {
    expect(Array.from(rowTouchScales([0, 5, 0, 1], { clicksPerClient: 3, negativeDraws: 2, maxScale: 1 }))).toEqual([1, 1, 1, 1])
    expect(() => rowTouchScales([0, -1], { clicksPerClient: 1, negativeDraws: 0, maxScale: 2 })).toThrow(/row 1/)
    expect(() => rowTouchScales([0, 1], { clicksPerClient: 1, negativeDraws: 0, maxScale: 0.5 })).toThrow(/maxScale/)
    expect(() => rowTouchScales([0, 1], { clicksPerClient: Number.NaN, negativeDraws: 0, maxScale: 2 })).toThrow(/clicksPerClient/)
  })
})

describe('scaleRowsInPlace', () => {
  it('multiplies each row of the tensor and leaves the rest of the vector alone', () => {
    const v = new Float64Array([1, 1, 1, 1, 1, 1, 9])
    scaleRowsInPlace(v, 0, 2, Float32Array.from([1, 2, 3]))
    expect(Array.from(v)).toEqual([1, 1, 2, 2, 3, 3, 9])
    expect(() => scaleRowsInPlace(v, 2, 2, Float32Array.from([1, 2, 3]))).toThrow(/do not fit/)
  })
})

describe('modelRowScales', () => {
  const items = 3000
  const model = (over: Partial<ModelDescription> = {}): ModelDescription => ({
    layout: [{ name: 'item_emb', shape: [items + 1, 4] }, { name: 'out_w', shape: [8, 4] }],
    config: {},
    vocab: Array.from({ length: items }, (_, i) => `sku-${i}`),
    popularity: Array.from({ length: items }, (_, i) => items - i),
    ...over,
  })

  it('scales the item table of a sampled-softmax catalogue from its published popularity', () => {
    const r = modelRowScales(model(), ROW_SCALE_DEFAULTS)!
    expect(r).toMatchObject({ tensor: 'item_emb', offset: 0, width: 4 })
    expect(r.scales.length).toBe(items + 1)
    expect(r.scales[0]).toBe(1)
    // The same as rowTouchScales over [0, …popularity]: popular rows near 1, the tail capped.
    const want = rowTouchScales([0, ...model().popularity!], ROW_SCALE_DEFAULTS)
    expect(Array.from(r.scales)).toEqual(Array.from(want))
    expect(r.scales[1]!).toBeLessThan(r.scales[items]!)
    expect(r.scales[items]!).toBeLessThanOrEqual(ROW_SCALE_DEFAULTS.maxScale)
  })

  it('scales a small catalogue too, less: its devices\' negatives reach most rows', () => {
    const small = 194
    const d = model({ layout: [{ name: 'item_emb', shape: [small + 1, 4] }], vocab: Array.from({ length: small }, (_, i) => `sku-${i}`), popularity: Array.from({ length: small }, (_, i) => small - i) })
    const r = modelRowScales(d, ROW_SCALE_DEFAULTS)!
    expect(r.scales.length).toBe(small + 1)
    // A row no click reaches is still drawn as a negative with P = 1 − e^(−128 / 194).
    const tail = 1 / (1 - Math.exp(-ROW_SCALE_DEFAULTS.negativeDraws / small))
    expect(r.scales[small]!).toBeGreaterThan(1)
    expect(r.scales[small]!).toBeLessThanOrEqual(tail)
    expect(Math.max(...modelRowScales(model(), ROW_SCALE_DEFAULTS)!.scales)).toBeGreaterThan(tail)
  })

  it('finds the table where the layout puts it', () => {
    const layout = [{ name: 'pos_emb', shape: [10, 4] }, { name: 'item_emb', shape: [items + 1, 4] }]
    expect(modelRowScales(model({ layout }), ROW_SCALE_DEFAULTS)?.offset).toBe(40)
  })

  it('leaves plain FedAvg where there is nothing to scale', () => {
    const { popularity: _, ...noPopularity } = model()
    expect(modelRowScales(noPopularity, ROW_SCALE_DEFAULTS), 'no popularity').toBeNull()
    expect(modelRowScales(model({ layout: [{ name: 'item_emb', shape: [1001, 4] }] }), ROW_SCALE_DEFAULTS), 'a compact table').toBeNull()
    expect(modelRowScales(model(), { ...ROW_SCALE_DEFAULTS, maxScale: 1 })).toBeNull()
    expect(() => modelRowScales(model({ popularity: [1, 2] }), ROW_SCALE_DEFAULTS)).toThrow(/popularity has 2 entries/)
  })
})

describe('noiseCappedMaxScale', () => {
  const round = { serverLearningRate: 4, expectedClients: 128, noiseTolerance: 0.02 }

  it('leaves the cap alone without noise', () => {
    expect(noiseCappedMaxScale(100, { ...round, sumNoiseStd: 0 })).toBe(100)
  })

  it('caps the scale where a row’s step noise η·s·σ / n reaches the tolerance', () => {
    // The harness's ε = 8 rounds: z = 0.5801, C = 1, η = 4, 128 clients → 0.02 · 128 / (4 · 0.5801).
    const s = noiseCappedMaxScale(100, { ...round, sumNoiseStd: 0.5801 })
    expect(s).toBeCloseTo(1.1033, 3)
    expect((round.serverLearningRate * s * 0.5801) / round.expectedClients).toBeCloseTo(round.noiseTolerance, 9)
    // A larger cohort tolerates more; never below plain FedAvg, never above the setting.
    expect(noiseCappedMaxScale(100, { ...round, expectedClients: 1024, sumNoiseStd: 0.5801 })).toBeCloseTo(8.826, 2)
    expect(noiseCappedMaxScale(100, { ...round, sumNoiseStd: 50 })).toBe(1)
    expect(noiseCappedMaxScale(3, { ...round, expectedClients: 100_000, sumNoiseStd: 0.1 })).toBe(3)
  })

  it('refuses settings that are not a round', () => {
    expect(() => noiseCappedMaxScale(10, { ...round, sumNoiseStd: -1 })).toThrow(RangeError)
    expect(() => noiseCappedMaxScale(10, { ...round, expectedClients: 0, sumNoiseStd: 1 })).toThrow(RangeError)
  })
})
