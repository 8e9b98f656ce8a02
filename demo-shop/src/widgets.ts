/** Recommendation widgets: a slot the SDK fills with its ranked list. */
import type { Candidate, WidgetOptions } from '../../sdk/src/entrypoints/sdk.js'
import { h } from './dom.js'
import { fedrec } from './sdk.js'

/**
 * A titled slot that the SDK ranks `candidates` into (`fedrec('render', …)`); `options` picks the
 * list type (`for_you`, `related` to an item, …) and "why am I seeing this?".
 */
export function widget(id: string, title: string, listId: string, candidates: readonly Candidate[], limit = 8, options: Pick<WidgetOptions, 'type' | 'itemId' | 'explain'> = {}): HTMLElement {
  const el = h('div', { id, class: 'widget-slot', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, `Loading ${title.toLowerCase()}…`))
  fedrec('render', el, { title, listId, candidates, limit, ...options })
  new MutationObserver((_, obs) => {
    if (el.querySelector('.fedrec-widget')) {
      el.removeAttribute('aria-busy')
      obs.disconnect()
    }
  }).observe(el, { childList: true })
  return el
}
