/** The SVG plot: which panels appear for which results. */

import { describe, expect, it } from 'vitest'
import { MetricSums } from './metrics.js'
import { niceTicks, renderPlot } from './plot.js'
import type { ModelResult } from './run.js'

function result(name: string, p20: number, extra: Partial<ModelResult['json']> = {}, rest: Partial<ModelResult> = {}): ModelResult {
  return {
    json: {
      name, p20, mrr20: p20 / 3, ndcg20: 0, hr10: 0, ndcg10: 0, train_seconds: 1, model_bytes: 1,
      upload_bytes: null, epsilon: null, delta: null, rounds: null, ...extra,
    },
    metrics: new MetricSums().result(),
    evalSeconds: 1,
    params: {},
    history: [],
    epsilonCurve: [],
    ...rest,
  }
}

describe('renderPlot', () => {
  it('draws utility against ε for private runs and against rounds for federated ones', () => {
    const svg = renderPlot('demo', [
      result('fedrec-federated', 40, { rounds: 3 }, { history: [1, 2, 3].map((r) => ({ round: r, p20: 10 * r, mrr20: 3 * r })) }),
      result('fedrec-dp-eps1', 20, { epsilon: 1, delta: 1e-6 }),
      result('fedrec-dp-eps8', 35, { epsilon: 8, delta: 1e-6 }),
    ])
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('demo: utility vs privacy budget')
    expect(svg).toContain('demo: federated training')
    expect(svg).toContain('fedrec-federated P@20')
    expect(svg).not.toContain('NaN')
  })

  it('falls back to bars per model', () => {
    const svg = renderPlot('demo', [result('pop', 1), result('item-knn', 35)])
    expect(svg).toContain('P@20 and MRR@20 per model')
    expect(svg).toContain('<title>item-knn: 35.00</title>')
  })
})

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 37, 5)).toEqual([0, 10, 20, 30, 40])
    expect(niceTicks(1, 8, 6)).toEqual([0, 2, 4, 6, 8])
    expect(niceTicks(3, 3, 4)[0]).toBeLessThanOrEqual(3)
  })
})
