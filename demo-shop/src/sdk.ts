/**
 * The store's handle on the SDK, exactly as a shop has it: the `fedrec(...)` command function of
 * the script tag (queued until the SDK loads), and the client it passes to callbacks.
 */
import type { EventParams, FedrecClient, FedrecGlobal } from '../../sdk/src/entrypoints/sdk.js'

declare global {
  interface Window {
    fedrec: FedrecGlobal | ((...args: unknown[]) => void)
  }
}

/** Calls the script tag's command function (`fedrec('event', …)`, `fedrec('render', …)`). */
export function fedrec(...args: unknown[]): void {
  ;(window.fedrec as (...a: unknown[]) => void)(...args)
}

/** Records a GA4 event through the SDK. */
export function track(name: string, params: EventParams): void {
  fedrec('event', name, params)
}

/** The SDK client once loaded (never resolves if the SDK cannot load: the shop works without it). */
export function sdkClient(): Promise<FedrecClient> {
  return new Promise((resolve) => fedrec((c: FedrecClient) => resolve(c)))
}

/**
 * Waits until the events recorded so far are on the device, at most `ms`: call it before
 * navigating away right after an event, or the write may be cut short by the navigation.
 */
export async function settleEvents(ms = 2000): Promise<void> {
  await Promise.race([sdkClient().then((c) => c.flush()), new Promise((r) => setTimeout(r, ms))])
}
