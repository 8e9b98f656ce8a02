/** docs/RESULTS.md rendering from a results JSON and its meta. */

import { describe, expect, it } from 'vitest'
import { metaPath } from './harness.js'
import { renderResultsDoc } from './results-doc.js'

describe('renderResultsDoc', () => {
  it('shows the command, machine, measured table, published rows and parameters', () => {
    const doc = renderResultsDoc([
      {
        results: {
          dataset: 'diginetica',
          models: [
            {
              name: 'pop', p20: 0.81, mrr20: 0.22, ndcg20: 0.35, hr10: 0.54, ndcg10: 0.28, train_seconds: 0.01,
              model_bytes: 172392, upload_bytes: null, epsilon: null, delta: null, rounds: null,
            },
          ],
        },
        meta: {
          command: 'npm run eval -- --data ../shared/data/diginetica --models pop --out d.json',
          date: '2026-11-23T14:00:00.000Z',
          machine: '2 × Test CPU, 23 GiB, linux 6.1',
          node: 'v20.20.2',
          subsample: null,
          models: { pop: { params: { count: 'next' }, eval_seconds: 0.3 } },
        },
      },
    ])
    expect(doc).toContain('## diginetica')
    expect(doc).toContain('`npm run eval -- --data ../shared/data/diginetica --models pop --out d.json`')
    expect(doc).toContain('2 × Test CPU')
    expect(doc).toContain('| pop | 0.81 | 0.22 | 0.35 | 0.54 | 0.28 | 0.0 | 0.3 | 168.4 KiB | – | – | – | – |')
    expect(doc).toContain('| NARM | 49.70 | 16.17 |')
    expect(doc).toContain('- pop: count=next')
    expect(doc).not.toContain('--breakdown')
  })

  it('shows the groups of a run with --breakdown, from its meta', () => {
    const model = {
      name: 'spop', p20: 50, mrr20: 25, ndcg20: 30, hr10: 40, ndcg10: 28, train_seconds: 0,
      model_bytes: 10, upload_bytes: null, epsilon: null, delta: null, rounds: null,
    }
    const metrics = { ndcg20: 0, hr10: 0, ndcg10: 0 }
    const doc = renderResultsDoc([
      {
        results: { dataset: 'tiny', models: [model] },
        meta: {
          command: 'npm run eval -- --data tiny --models spop --breakdown --out t.json',
          date: '2026-12-08T00:00:00.000Z',
          machine: 'test',
          node: 'v20.20.2',
          subsample: null,
          models: {
            spop: {
              params: {},
              eval_seconds: 0.1,
              breakdown: [
                { group: 'in the prefix', cases: 1, p20: 100, mrr20: 50, ...metrics },
                { group: 'new, unseen in training', cases: 3, p20: 0, mrr20: 0, ...metrics },
              ],
            },
          },
        },
      },
    ])
    expect(doc).toContain('| model (P@20 / MRR@20) | in the prefix (25.0 %) | new, unseen in training (75.0 %) |')
    expect(doc).toContain('| spop | 100.00 / 50.00 | 0.00 / 0.00 |')
  })

  it('puts the meta beside the results file', () => {
    expect(metaPath('/tmp/x/diginetica.json')).toBe('/tmp/x/diginetica.meta.json')
  })
})
