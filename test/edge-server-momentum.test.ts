/**
 * FedAvgM on the edge worker over HTTP: FEDREC_SERVER_OPTIMIZER=fedavgm publishes exactly Hsu et
 * al.'s step w + η(βv + Δ), and the velocity survives a crash of workerd between rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyFedAvgM, type ServerMomentumState } from '../aggregator/src/index.js'
import { EXACT_MODEL, startEdge, type EdgeServer } from './support/edge.js'
import { getModel, playHonestRound } from './support/rounds.js'

let edge: EdgeServer
const LR = 0.5
const BETA = 0.8

/** Three devices take part in the open round; returns the model they started from and their sum. */
const playRound = (seed: number) => playHonestRound(edge.url, seed)

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0
  a.forEach((x, i) => (d = Math.max(d, Math.abs(x - b[i]!))))
  return d
}

beforeAll(async () => {
  edge = await startEdge({
    vars: {
      FEDREC_MIN_CLIENTS: '2',
      FEDREC_EXPECTED_CLIENTS: '3',
      FEDREC_SERVER_OPTIMIZER: 'fedavgm',
      FEDREC_SERVER_MOMENTUM: String(BETA),
      FEDREC_SERVER_LR: String(LR),
      ...EXACT_MODEL,
    },
  })
})
afterAll(async () => {
  await edge?.stop()
})

describe('edge server momentum (FedAvgM)', () => {
  it('publishes the FedAvgM step, and the second step after a crash uses the first step’s velocity', async () => {
    const opts = { expectedClients: 3, serverLearningRate: LR, momentum: BETA }
    const first = await playRound(300)
    const v1 = await getModel(edge.url)
    const want1 = applyFedAvgM(first.m.weights, first.sum, opts, null)
    expect(v1.version).toBe(first.m.version + 1)
    expect(maxDiff(v1.weights, want1.weights)).toBeLessThan(1e-5)
    const ledger = (await (await fetch(`${edge.url}v1/privacy`)).json()) as { serverOptimizer: string }
    expect(ledger.serverOptimizer).toBe('fedavgm')

    await edge.restart()
    const second = await playRound(400)
    const v2 = await getModel(edge.url)
    const velocity: ServerMomentumState = want1.state
    const want2 = applyFedAvgM(second.m.weights, second.sum, opts, velocity)
    expect(maxDiff(v2.weights, want2.weights), 'the second step used the stored velocity').toBeLessThan(1e-5)
    const fresh = applyFedAvgM(second.m.weights, second.sum, opts, null)
    expect(maxDiff(fresh.weights, want2.weights)).toBeGreaterThan(1e-4)
  })
})
