/** Small DOM helpers for the demo store's pages (text always goes in as text, never as HTML). */

/**
 * Creates an element with attributes and children.
 * @example h('a', { href: '/' }, 'Home')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  el.append(...children)
  return el
}

/** Prices as the store shows them. */
export const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

/** A category slug as a label: 'mens-shoes' → 'mens shoes'. */
export function categoryLabel(category: string): string {
  return category.replace(/-/g, ' ')
}
