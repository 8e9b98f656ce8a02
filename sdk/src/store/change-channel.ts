/**
 * Tells the SDK's workers in every tab of the shop that the stored history changed, so those that
 * keep it in memory read it again (BroadcastChannel: same origin, on the device only). The page
 * also tells its own worker directly, in order with its next call (fedrec-client.ts).
 */

const CHANNEL = 'fedrec-store-changes'

/** `events`: events were recorded; `erased`: the history and the personal model were erased. */
export type StoreChange = 'events' | 'erased'

let channel: BroadcastChannel | null | undefined

function open(): BroadcastChannel | null {
  if (channel === undefined) {
    try {
      channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null
    } catch {
      channel = null
    }
  }
  return channel
}

/**
 * @example announceChange('events')
 */
export function announceChange(change: StoreChange): void {
  try {
    open()?.postMessage(change)
  } catch {
    // Nothing to tell where the browser has no BroadcastChannel.
  }
}

/**
 * Calls `fn` for each change announced by another context (a page, this worker's own page included).
 * @example listenForChanges((c) => history.invalidate())
 */
export function listenForChanges(fn: (change: StoreChange) => void): void {
  const ch = open()
  if (!ch) return
  ch.onmessage = (e: MessageEvent<unknown>) => {
    if (e.data === 'events' || e.data === 'erased') fn(e.data)
  }
}
