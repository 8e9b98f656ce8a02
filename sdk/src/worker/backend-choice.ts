/**
 * The tfjs backend this device chose, kept in IndexedDB so that later pages initialise it without
 * the training probe (backend.ts): the probe costs seconds on a software GPU. Plain data, no tfjs.
 */
import { KvKey, type EventStore } from '../store/event-store.js'
import type { Backend, BackendAttempt } from './backend-kinds.js'

/** A choice is re-probed after this long, so a browser update that brings WebGPU is noticed. */
export const BACKEND_CHOICE_TTL_MS = 7 * 24 * 3600 * 1000

/** What is stored: a device capability, never sent anywhere. */
export interface BackendChoice {
  /** The preference order it was chosen from: another order (the shop's `backends`) probes again. */
  readonly order: readonly Backend[]
  readonly backend: Backend
  /** The attempts of the probe that chose it (why faster backends were passed over). */
  readonly attempts: readonly BackendAttempt[]
  /** When it was probed (ms since the epoch). */
  readonly at: number
}

const sameOrder = (a: readonly Backend[], b: readonly Backend[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * The stored choice for this order, if it is recent; null otherwise (or where the store fails).
 * @example const choice = await loadBackendChoice(store, BACKEND_ORDER)
 */
export async function loadBackendChoice(store: EventStore, order: readonly Backend[], now = Date.now()): Promise<BackendChoice | null> {
  try {
    const c = await store.get<BackendChoice>(KvKey.BackendChoice)
    if (!c || typeof c.backend !== 'string' || !Array.isArray(c.order) || !Array.isArray(c.attempts) || typeof c.at !== 'number') return null
    if (!sameOrder(c.order, order) || !order.includes(c.backend) || now - c.at > BACKEND_CHOICE_TTL_MS || c.at > now) return null
    return c
  } catch {
    return null
  }
}

/**
 * Stores the choice; a failure to store only means the next page probes again.
 * @example await saveBackendChoice(store, { order: BACKEND_ORDER, backend: 'wasm', attempts, at: Date.now() })
 */
export async function saveBackendChoice(store: EventStore, choice: BackendChoice): Promise<void> {
  try {
    await store.set(KvKey.BackendChoice, choice)
  } catch (e) {
    console.info('[fedrec] could not keep the backend choice on the device', e)
  }
}
