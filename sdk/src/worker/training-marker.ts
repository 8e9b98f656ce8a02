/**
 * A persisted "training in progress" mark: set before local training, cleared after it. Found
 * set when a worker starts, it means the last training was cut off (tab closed, crash); nothing
 * was sent for it, and the shopper's page gets one warning.
 */
import { KvKey, type EventStore } from '../store/event-store.js'

interface TrainingMark {
  readonly roundId: number
  readonly startedAt: number
}

/** @example await markTraining(store, 7); try { await train() } finally { await clearTraining(store) } */
export async function markTraining(store: EventStore, roundId: number): Promise<void> {
  await store.set(KvKey.TrainingMark, { roundId, startedAt: Date.now() } satisfies TrainingMark)
}

export async function clearTraining(store: EventStore): Promise<void> {
  await store.set(KvKey.TrainingMark, undefined)
}

/** Warns once about a training cut off in an earlier page, and clears the mark. */
export async function reportInterruptedTraining(store: EventStore): Promise<boolean> {
  const mark = await store.get<TrainingMark>(KvKey.TrainingMark)
  if (!mark) return false
  console.warn(`[fedrec] training for round ${mark.roundId} was interrupted (the tab closed or the browser stopped it); nothing was sent, it will run again`)
  await clearTraining(store)
  return true
}
