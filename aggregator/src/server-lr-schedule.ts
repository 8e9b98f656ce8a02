/**
 * A decaying server learning rate: η follows a half cosine from its peak at the first round to
 * `end`·η at round `rounds`, and holds there after (cosine annealing, Loshchilov & Hutter 2017,
 * "SGDR", ICLR, eq. 5, without restarts). Late rounds then average out the sampling noise of the
 * cohort and of the row scales instead of stepping on it at full rate. It only post-processes the
 * noised average, so it costs no privacy.
 */

export interface ServerLrSchedule {
  /** Rounds over which η decays (≥ 2). */
  readonly rounds: number
  /** Fraction of the peak η left from round `rounds` on, in (0, 1]: a round must step (devices refuse η = 0). */
  readonly end: number
}

/**
 * η for the round at 0-based `index` (the edge's round id − 1); the peak η itself when `schedule`
 * is null.
 * @example serverLearningRateAt(8, 0, { rounds: 40, end: 0.1 }) // 8
 * @example serverLearningRateAt(8, 39, { rounds: 40, end: 0.1 }) // 0.8
 * @throws RangeError on a negative or fractional index or a schedule outside its ranges
 */
export function serverLearningRateAt(peak: number, index: number, schedule: ServerLrSchedule | null): number {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`round index ${index}: a non-negative integer expected`)
  if (schedule === null) return peak
  checkServerLrSchedule(schedule)
  const t = Math.min(1, index / (schedule.rounds - 1))
  return peak * (schedule.end + ((1 - schedule.end) * (1 + Math.cos(Math.PI * t))) / 2)
}

/** @throws RangeError unless rounds is an integer ≥ 2 and end lies in (0, 1] */
export function checkServerLrSchedule(s: ServerLrSchedule): void {
  if (!Number.isInteger(s.rounds) || s.rounds < 2) throw new RangeError(`schedule rounds ${s.rounds}: an integer ≥ 2 expected`)
  if (!(s.end > 0 && s.end <= 1)) throw new RangeError(`schedule end ${s.end}: a fraction in (0, 1] expected`)
}
