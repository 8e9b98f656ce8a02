/** The published POP / item-kNN figures on the shared data, when ../shared is there (skipped otherwise). */

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ItemKnn } from './baselines/item-knn.js'
import { Pop } from './baselines/pop.js'
import { loadDataset } from './data.js'
import { evaluateCases } from './evaluate.js'
import { fitOptions } from './testing.js'
import { REPO_ROOT } from './harness.js'

const dir = join(REPO_ROOT, '..', 'shared', 'data', 'yoochoose1_64')

// Independent check in shared/README.md: POP 7.27 / 2.33, item-kNN 50.69 / 21.48 (P@20 / MRR@20).
describe.skipIf(!existsSync(join(dir, 'test.tsv')))('YooChoose 1/64 baselines (shared data)', () => {
  it('land within one point of the independent check', async () => {
    const ds = await loadDataset(dir)
    const pop = new Pop()
    await pop.fit(ds.train, fitOptions())
    const mp = await evaluateCases(pop, ds.test, ds.train)
    expect(Math.abs(mp.p20 - 7.27)).toBeLessThan(1)
    expect(Math.abs(mp.mrr20 - 2.33)).toBeLessThan(1)
    const knn = new ItemKnn()
    await knn.fit(ds.train, fitOptions())
    const mk = await evaluateCases(knn, ds.test, ds.train)
    expect(Math.abs(mk.p20 - 50.69)).toBeLessThan(1)
    expect(Math.abs(mk.mrr20 - 21.48)).toBeLessThan(1)
  }, 30_000)
})
