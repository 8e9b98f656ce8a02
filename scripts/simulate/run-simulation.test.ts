import { describe, expect, it } from 'vitest'
import { computeEpsilon, type RoundConfig, type RoundLedgerEntry } from '../../aggregator/src/index.js'
import { checkRoundSettings, epsilonAfter } from './run-simulation.js'

const entry = (roundId: number, over: Partial<RoundLedgerEntry & { epsilon: number }> = {}): RoundLedgerEntry & { epsilon?: number } => ({
  roundId, fromVersion: roundId - 1, publishedVersion: roundId, outcome: 'published', cohortSize: 3, expectedClients: 3, minClients: 3,
  sampleRate: 1, noiseMultiplier: 2, clipNorm: 1, noiseMode: 'local', openedAt: 0, closedAt: 1, ...over,
})

describe('epsilonAfter', () => {
  it('composes the published rounds with the RDP accountant', () => {
    const rounds = [entry(1), entry(2, { cohortSize: 1, outcome: 'abandoned', publishedVersion: null }), entry(3)]
    expect(epsilonAfter(rounds, 1e-5)).toBeCloseTo(computeEpsilon({ q: 1, noiseMultiplier: 2, rounds: 2, delta: 1e-5 }).epsilon, 9)
    expect(epsilonAfter([], 1e-5)).toBe(0)
  })

  it("takes the server's cumulative ε when the ledger carries one", () => {
    expect(epsilonAfter([entry(1), entry(2, { epsilon: 1.25 })], 1e-5)).toBe(1.25)
  })
})

describe('checkRoundSettings', () => {
  const round = (over: Partial<RoundConfig>): RoundConfig => ({ roundId: 1, modelVersion: 0, clipNorm: 1, noiseMultiplier: 1, noiseMode: 'local', minClients: 3, expectedClients: 3, serverLearningRate: 1, sampleRate: 1, deadline: 0, ...over })
  it('accepts an edge that closes rounds with this cohort', () => {
    expect(checkRoundSettings(round({}), 3)).toBeNull()
    expect(checkRoundSettings(round({}), 5)).toBeNull()
  })
  it('explains which FEDREC_* settings to start the edge with otherwise', () => {
    expect(checkRoundSettings(round({ expectedClients: 10 }), 4)).toMatch(/never close.*FEDREC_EXPECTED_CLIENTS=4/)
    expect(checkRoundSettings(round({ sampleRate: 0.5 }), 4)).toMatch(/FEDREC_SAMPLE_RATE=1/)
  })
})
