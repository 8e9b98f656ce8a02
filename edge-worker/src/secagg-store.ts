/**
 * The round coordinator's side of secure aggregation, in its SQLite storage: the lobby that
 * assigns joining devices to cohorts, and the unmasked cohort sums of the open round.
 */
import type { SecureAggregationLedger, SecureAggregationRound } from '../../aggregator/src/index.js'
import { deleteBlobs, getBlob, putBlob } from './blob-table.js'

export const SECAGG_SCHEMA = [
  'CREATE TABLE IF NOT EXISTS secagg_lobby (round_id INTEGER PRIMARY KEY, cohort INTEGER NOT NULL, joined INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS secagg_sum (round_id INTEGER NOT NULL, cohort INTEGER NOT NULL, included INTEGER NOT NULL, dropped INTEGER NOT NULL, PRIMARY KEY (round_id, cohort))',
] as const

/** One cohort's unmasked sum, as the cohort Durable Object delivers it. */
export interface CohortSum {
  readonly roundId: number
  readonly cohort: number
  readonly modelVersion: number
  /** Float64 little-endian: Σ of the included clients' clipped, noised deltas. */
  readonly sum: Uint8Array
  readonly included: number
  readonly dropped: number
}

/**
 * The cohort the next joining device goes to: the open one until `cohortSize` devices were sent
 * there (or it reported that it started), then the next.
 */
export function assignCohort(sql: SqlStorage, roundId: number, cohortSize: number): number {
  const row = sql.exec<{ cohort: number; joined: number }>('SELECT cohort, joined FROM secagg_lobby WHERE round_id = ?', roundId).toArray()[0]
  let cohort = row?.cohort ?? 0
  let joined = row?.joined ?? 0
  if (joined >= cohortSize) {
    cohort++
    joined = 0
  }
  sql.exec('INSERT INTO secagg_lobby (round_id, cohort, joined) VALUES (?, ?, ?) ON CONFLICT (round_id) DO UPDATE SET cohort = excluded.cohort, joined = excluded.joined', roundId, cohort, joined + 1)
  return cohort
}

/** A cohort refused a join because it already started: send later devices to the next one. */
export function cohortStarted(sql: SqlStorage, roundId: number, cohort: number): void {
  sql.exec('UPDATE secagg_lobby SET cohort = ?, joined = 0 WHERE round_id = ? AND cohort = ?', cohort + 1, roundId, cohort)
}

/** Stores a delivered cohort sum (the caller holds the transaction). */
export function putCohortSum(sql: SqlStorage, s: CohortSum): void {
  sql.exec('INSERT INTO secagg_sum (round_id, cohort, included, dropped) VALUES (?, ?, ?, ?)', s.roundId, s.cohort, s.included, s.dropped)
  putBlob(sql, 'cohort-sum', s.roundId, s.cohort, s.sum)
}

export function hasCohortSum(sql: SqlStorage, roundId: number, cohort: number): boolean {
  return sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM secagg_sum WHERE round_id = ? AND cohort = ?', roundId, cohort).one().n > 0
}

/** The open round's delivered cohort sums, to rebuild the running sum after a restart. */
export function loadCohortSums(sql: SqlStorage, roundId: number): { sum: Float64Array; included: number }[] {
  return sql.exec<{ cohort: number; included: number }>('SELECT cohort, included FROM secagg_sum WHERE round_id = ? ORDER BY cohort', roundId).toArray().map((r) => {
    const bytes = getBlob(sql, 'cohort-sum', roundId, r.cohort)!
    return { sum: new Float64Array(bytes.slice().buffer), included: r.included }
  })
}

/**
 * The ledger's record of a secure round. Each client's noise std is z·C/√minSurvivors, so a sum
 * of m clients carries z·√(m/minSurvivors)·C: the worst case, m = minSurvivors, is z itself.
 */
export function secureLedger(sql: SqlStorage, roundId: number, settings: SecureAggregationRound, noiseMultiplier: number, distributed: boolean): SecureAggregationLedger {
  const cohorts = sql.exec<{ included: number; dropped: number }>('SELECT included, dropped FROM secagg_sum WHERE round_id = ? ORDER BY cohort', roundId).toArray().map((r) => ({ included: r.included, dropped: r.dropped }))
  const smallest = cohorts.length ? Math.min(...cohorts.map((c) => c.included)) : null
  return {
    cohortSize: settings.cohortSize,
    minSurvivors: settings.minSurvivors,
    cohorts,
    worstCaseNoiseMultiplier: noiseMultiplier,
    smallestCohortNoiseMultiplier: smallest === null ? null : distributed ? noiseMultiplier * Math.sqrt(smallest / settings.minSurvivors) : noiseMultiplier * Math.sqrt(smallest),
  }
}

/** Forgets a closed round's lobby and sums (the caller holds the transaction). */
export function deleteSecureRound(sql: SqlStorage, roundId: number): void {
  sql.exec('DELETE FROM secagg_lobby WHERE round_id = ?', roundId)
  sql.exec('DELETE FROM secagg_sum WHERE round_id = ?', roundId)
  deleteBlobs(sql, 'cohort-sum', roundId)
}
