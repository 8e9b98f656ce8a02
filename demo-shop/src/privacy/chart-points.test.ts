import { describe, expect, it } from 'vitest'
import { chartPoints, type LedgerRound } from './chart-points.js'

const round = (roundId: number, over: Partial<LedgerRound> = {}): LedgerRound => ({ roundId, fromVersion: roundId - 1, publishedVersion: roundId, outcome: 'published', cohortSize: 3, ...over })

describe('chartPoints', () => {
  it('starts at round 0 with the initial model, then one point per closed round', () => {
    const pts = chartPoints([round(2), round(1)], [{ modelVersion: 0, p20: 10 }, { modelVersion: 1, p20: 20, epsilon: 1.5 }, { modelVersion: 2, p20: 30, epsilon: 2.5 }])
    expect(pts).toEqual([
      { round: 0, modelVersion: 0, p20: 10, participants: 0, epsilon: 0 },
      { round: 1, modelVersion: 1, p20: 20, participants: 3, epsilon: 1.5 },
      { round: 2, modelVersion: 2, p20: 30, participants: 3, epsilon: 2.5 },
    ])
  })

  it("prefers the server's ε to the simulator's, and leaves P@20 empty where nothing was evaluated", () => {
    const pts = chartPoints([round(1, { epsilon: 4 }), round(2, { outcome: 'abandoned', publishedVersion: null, cohortSize: 1 })], [{ modelVersion: 1, p20: 20, epsilon: 9 }])
    expect(pts[1]).toMatchObject({ epsilon: 4, p20: 20 })
    expect(pts[2]).toMatchObject({ round: 2, modelVersion: null, p20: null, participants: 1, epsilon: null })
    expect(pts[0]!.p20).toBeNull()
  })

  it('draws the evaluations alone when no round closed yet', () => {
    expect(chartPoints([], [{ modelVersion: 0, p20: 12 }])).toEqual([{ round: 0, modelVersion: 0, p20: 12, participants: 0, epsilon: 0 }])
  })
})
