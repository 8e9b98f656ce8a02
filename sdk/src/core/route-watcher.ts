/**
 * Notices route changes of single-page apps: `history.pushState` / `replaceState` (wrapped once
 * per page, keeping the page's own functions), back/forward (`popstate`) and `hashchange`.
 */

const PATCHED = '__fedrecHistoryPatched'
/** Event dispatched on `window` after the URL changed through the History API. */
export const ROUTE_EVENT = 'fedrec:routechange'

/**
 * Calls `onRoute` after every URL change; returns a function that stops listening.
 * @example const stop = watchRoutes(() => console.log(location.pathname))
 */
export function watchRoutes(onRoute: (url: string) => void): () => void {
  const w = window as Window & { [PATCHED]?: boolean }
  if (!w[PATCHED]) {
    w[PATCHED] = true
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method]
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args)
        try {
          window.dispatchEvent(new Event(ROUTE_EVENT))
        } catch {
          // never break the app's navigation
        }
        return result
      }
    }
  }
  let last = location.href
  const check = (): void => {
    if (location.href === last) return
    last = location.href
    onRoute(last)
  }
  for (const type of [ROUTE_EVENT, 'popstate', 'hashchange']) window.addEventListener(type, check)
  return () => {
    for (const type of [ROUTE_EVENT, 'popstate', 'hashchange']) window.removeEventListener(type, check)
  }
}
