/**
 * Row-subset rounds on the edge worker over HTTP: with an upload budget the demo model's whole
 * update does not fit, each round announces the rows of the item table its updates carry; the
 * edge takes exactly those, refuses a whole-model update by name, keeps what it acknowledged
 * over a crash mid-round, publishes the FedAvg step on those rows only, and moves the window on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyFedAvg, decodeUpdate, rowSubsetPlan, scatterSubset, subsetRows, uploadLayout, layoutSize, type ModelBundle } from '../aggregator/src/index.js'
import { honestPayload } from '../aggregator/src/testing/payloads.js'
import { EXACT_MODEL, PLAIN_FEDAVG, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, getRound, postUpdate, reasonOf } from './support/rounds.js'

const BUDGET = 30_000
let edge: EdgeServer

beforeAll(async () => {
  edge = await startEdge({
    vars: { FEDREC_MIN_CLIENTS: '2', FEDREC_EXPECTED_CLIENTS: '3', FEDREC_UPDATE_ENCODING: 'float32', FEDREC_UPLOAD_BUDGET_BYTES: String(BUDGET), ...EXACT_MODEL, ...PLAIN_FEDAVG },
  })
})
afterAll(async () => {
  await edge?.stop()
})

function rowOf(m: ModelBundle, row: number): Float32Array {
  const width = m.description.layout[0]!.shape[1]!
  return m.weights.subarray(row * width, (row + 1) * width)
}

describe('edge row-subset rounds', () => {
  it('announces, takes and publishes only the round’s rows, over a crash mid-round', async () => {
    const r = await getRound(edge.url)
    const m = await getModel(edge.url)
    const layout = m.description.layout
    const plan = rowSubsetPlan(layout, 'float32', { budget: BUDGET })
    expect(plan, 'the demo model’s float32 update is over 30,000 bytes').not.toBeNull()
    expect(r.rowSubset).toEqual({ tensor: 'item_emb', hotRows: plan!.hotRows, windowStart: 0, windowRows: plan!.windowRows })
    const rows = layout[0]!.shape[0]!
    expect(plan!.hotRows + plan!.windowRows).toBeLessThan(rows)

    // A device that ignores the subset and sends every row is refused, and told why.
    const whole = await postUpdate(edge.url, honestPayload({ ...r, rowSubset: null }, layout, 1).bytes)
    expect(whole.status).toBe(422)
    expect(reasonOf(whole)).toBe('shape_mismatch')
    expect(JSON.stringify(whole.json)).toContain("the round's update")

    const sum = new Float64Array(layoutSize(uploadLayout(layout, r.rowSubset)))
    const send = async (seed: number) => {
      const { bytes } = honestPayload(r, layout, seed, { scale: 0.3 })
      expect(bytes.length).toBeLessThanOrEqual(BUDGET)
      decodeUpdate(bytes).data.forEach((x, j) => (sum[j] = sum[j]! + x))
      return postUpdate(edge.url, bytes)
    }
    expect((await send(10)).status).toBe(202)
    await edge.restart()
    expect((await send(20)).status).toBe(202)
    expect((await send(30)).status).toBe(202)

    const next = await getModel(edge.url)
    expect(next.version).toBe(m.version + 1)
    const want = applyFedAvg(m.weights, scatterSubset(sum, layout, r.rowSubset), { expectedClients: 3, serverLearningRate: 1 })
    let diff = 0
    want.forEach((x, i) => (diff = Math.max(diff, Math.abs(x - next.weights[i]!))))
    expect(diff, 'the update acknowledged before the crash is in the step').toBeLessThan(1e-6)
    const trained = new Set(subsetRows(rows, r.rowSubset!))
    for (let row = 0; row < rows; row++) {
      if (trained.has(row)) continue
      expect(Array.from(rowOf(next, row)), `row ${row} was not in the round`).toEqual(Array.from(rowOf(m, row)))
    }
    const moved = [...trained].filter((row) => rowOf(next, row).some((x, j) => x !== rowOf(m, row)[j]))
    expect(moved.length, 'every row of the round moved').toBe(trained.size)

    const r2 = await getRound(edge.url)
    expect(r2.rowSubset).toEqual({ ...r.rowSubset, windowStart: plan!.windowRows % (rows - plan!.hotRows) })
  })
})
