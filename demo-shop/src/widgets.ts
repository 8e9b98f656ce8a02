/** Recommendation widgets: a slot the SDK fills with its ranked list. */
import type { Candidate } from '../../sdk/src/entrypoints/sdk.js'
import { h } from './dom.js'
import { fedrec } from './sdk.js'

/** A titled slot that the SDK ranks `candidates` into (`fedrec('render', …)`). */
export function widget(id: string, title: string, listId: string, candidates: readonly Candidate[], limit = 8): HTMLElement {
  const el = h('div', { id, class: 'widget-slot', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, `Loading ${title.toLowerCase()}…`))
  fedrec('render', el, { title, listId, candidates, limit })
  new MutationObserver((_, obs) => {
    if (el.querySelector('.fedrec-widget')) {
      el.removeAttribute('aria-busy')
      obs.disconnect()
    }
  }).observe(el, { childList: true })
  return el
}
