/**
 * When a long animation frame counts as the SDK's long task (issue 8: "long tasks (> 50 ms)
 * attributed to the SDK during a scripted browsing session; target 0").
 */

/** A Long Animation Frame entry reduced to what attribution needs. */
export interface FrameScripts {
  /** The frame's duration, ms. */
  readonly duration: number
  /** Time in scripts served from /sdk/, ms. */
  readonly sdkMs: number
  /** Time in every other script, ms. */
  readonly otherMs: number
}

/** The long-task threshold of the Long Tasks API, ms. */
export const LONG_TASK_MS = 50

/**
 * A long frame is the SDK's when the SDK made it long or dominated it: without the SDK's script
 * time it would not have been a long task, or the SDK's scripts took more than half of it.
 * A long frame where the page's own parsing, layout or rendering dominate and an SDK script ran
 * briefly (e.g. the 446-byte loader's 11 ms in a first paint) is the page's, not the SDK's.
 * @example attributedToSdk({ duration: 120, sdkMs: 80, otherMs: 5 }) // true
 * @example attributedToSdk({ duration: 140, sdkMs: 11, otherMs: 0 }) // false
 */
export function attributedToSdk(f: FrameScripts): boolean {
  if (f.duration <= LONG_TASK_MS || f.sdkMs <= 0) return false
  return f.duration - f.sdkMs <= LONG_TASK_MS || f.sdkMs > f.duration / 2
}
