/**
 * The points of the rounds chart: one per closed round of the global ledger (participants, ε),
 * joined with the validation P@20 that `npm run simulate` measured for the model it published.
 */

/** A closed round as GET /v1/privacy lists it (the fields the chart reads). */
export interface LedgerRound {
  readonly roundId: number
  readonly fromVersion: number
  readonly publishedVersion: number | null
  readonly outcome: 'published' | 'abandoned'
  readonly cohortSize: number
  /** Cumulative ε after this round, when the server reports it. */
  readonly epsilon?: number | null
}

/** P@20 of one published model version on the held-out simulated sessions. */
export interface ModelEvaluation {
  readonly modelVersion: number
  /** Percent. */
  readonly p20: number
  /** Cumulative ε after the round that published this version (computed by the simulator). */
  readonly epsilon?: number | null
}

/** One x position of the chart: round 0 is the initial model. */
export interface ChartPoint {
  readonly round: number
  readonly modelVersion: number | null
  readonly p20: number | null
  readonly participants: number
  readonly epsilon: number | null
}

/**
 * Joins the ledger and the evaluations. Round 0 stands for the initial model before any round.
 * ε is the server's cumulative figure where it gives one, else the simulator's for that version.
 * @example chartPoints([{ roundId: 1, fromVersion: 0, publishedVersion: 1, outcome: 'published', cohortSize: 3 }], [{ modelVersion: 1, p20: 40 }])
 */
export function chartPoints(ledger: readonly LedgerRound[], evaluations: readonly ModelEvaluation[]): ChartPoint[] {
  const byVersion = new Map(evaluations.map((e) => [e.modelVersion, e]))
  const rounds = [...ledger].sort((a, b) => a.roundId - b.roundId)
  const firstVersion = rounds[0]?.fromVersion ?? Math.min(...evaluations.map((e) => e.modelVersion), 0)
  const initial = byVersion.get(firstVersion)
  const points: ChartPoint[] = [{ round: 0, modelVersion: firstVersion, p20: initial?.p20 ?? null, participants: 0, epsilon: 0 }]
  for (const r of rounds) {
    const ev = r.publishedVersion === null ? undefined : byVersion.get(r.publishedVersion)
    points.push({ round: r.roundId, modelVersion: r.publishedVersion, p20: ev?.p20 ?? null, participants: r.cohortSize, epsilon: r.epsilon ?? ev?.epsilon ?? null })
  }
  return points
}
