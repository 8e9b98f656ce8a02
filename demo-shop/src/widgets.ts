/**
 * Recommendation widgets: a slot the SDK fills with a list computed on this device
 * (`fedrec('render', …)`), each item with its "Why am I seeing this?" explanation.
 */
import type { Candidate, Recommendation, WidgetOptions } from '../../sdk/src/entrypoints/sdk.js'
import { h } from './dom.js'
import { fedrec } from './sdk.js'

/** What a widget recommends and how it is titled; `empty` is said when the list is empty. */
export type WidgetSpec = WidgetOptions & { readonly title: string; readonly empty?: string }

/**
 * A titled slot that the SDK renders into, busy until the list arrives; `data-count` then holds
 * the number of items shown.
 * @example widget('related', { title: 'Related', type: 'related', itemId: p.sku, candidates, limit: 6 })
 */
export function widget(id: string, spec: WidgetSpec): HTMLElement {
  const { empty, ...opts } = spec
  const el = h('div', { id, class: 'widget-slot', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'muted' }, `Loading ${spec.title.toLowerCase()}…`))
  const onRender = (recs: readonly Recommendation<Candidate>[], root: HTMLElement): void => {
    el.removeAttribute('aria-busy')
    el.dataset.count = String(Math.min(recs.length, spec.limit ?? recs.length))
    if (recs.length === 0 && empty) root.append(h('p', { class: 'muted widget-empty' }, empty))
  }
  fedrec('render', el, { explain: true, listId: spec.type ?? id, ...opts, onRender } satisfies WidgetOptions)
  return el
}
