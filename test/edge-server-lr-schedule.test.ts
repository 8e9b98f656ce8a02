/**
 * The decaying server learning rate on the edge worker over HTTP: with
 * FEDREC_SERVER_LR_DECAY_ROUNDS each round announces its own η, the published model steps by
 * exactly that η, the ledger records it, and the decay goes on from the round id after workerd
 * restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyFedAvg, serverLearningRateAt, type RoundLedgerEntry } from '../aggregator/src/index.js'
import { EXACT_MODEL, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, getRound, playHonestRound } from './support/rounds.js'

let edge: EdgeServer
const PEAK = 2
const SCHEDULE = { rounds: 3, end: 0.25 }

/** Three devices take part in the open round; checks the model it publishes against FedAvg at the announced η. */
async function playRound(seed: number): Promise<number> {
  const { r, m, sum } = await playHonestRound(edge.url, seed)
  const next = await getModel(edge.url)
  const want = applyFedAvg(m.weights, sum, { expectedClients: 3, serverLearningRate: r.serverLearningRate })
  expect(next.version).toBe(m.version + 1)
  let d = 0
  next.weights.forEach((x, i) => (d = Math.max(d, Math.abs(x - want[i]!))))
  expect(d, `round ${r.roundId} stepped by its announced η`).toBeLessThan(1e-5)
  return r.serverLearningRate
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: '2',
      FEDREC_EXPECTED_CLIENTS: '3',
      FEDREC_SERVER_LR: String(PEAK),
      FEDREC_SERVER_LR_DECAY_ROUNDS: String(SCHEDULE.rounds),
      FEDREC_SERVER_LR_END: String(SCHEDULE.end),
      ...EXACT_MODEL,
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

describe('edge server learning-rate decay', () => {
  it('announces, applies and records each round’s η, and keeps decaying across a restart', async () => {
    const first = (await getRound(edge.url)).roundId
    const etas = [await playRound(500), await playRound(600)]
    await edge.restart()
    etas.push(await playRound(700), await playRound(800))
    const want = [0, 1, 2, 3].map((i) => serverLearningRateAt(PEAK, first - 1 + i, SCHEDULE))
    etas.forEach((eta, i) => expect(eta).toBeCloseTo(want[i]!, 10))
    expect(etas[0]).toBeGreaterThan(etas[1]!)
    expect(etas[3]).toBeCloseTo(PEAK * SCHEDULE.end, 10)
    const ledger = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { rounds: RoundLedgerEntry[] }
    const recorded = ledger.rounds.filter((e) => e.outcome === 'published').map((e) => e.serverLearningRate)
    expect(recorded.slice(-4)).toEqual(etas)
  })
})
