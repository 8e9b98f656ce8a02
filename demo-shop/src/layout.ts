/** What every store page shares: category navigation, search, the cart badge, the consent banner. */
import { cartCount, onCartChange } from './cart-state.js'
import { categoryLabel, h } from './dom.js'
import { sdkClient } from './sdk.js'

/**
 * Search runs in the page over the catalogue, with the query in the URL fragment (`/#q=…`): a
 * fragment is never sent to a server, not even in a Referer, so what a shopper types stays on
 * the device like everything else the SDK records.
 */
export function searchQuery(): string | undefined {
  return new URLSearchParams(location.hash.slice(1)).get('q')?.trim() || undefined
}

/** The search URL for a query (a fragment: see {@link searchQuery}). */
export function searchUrl(q: string): string {
  return `/#${new URLSearchParams({ q }).toString()}`
}

function wireSearch(): void {
  const form = document.querySelector<HTMLFormElement>('form[role="search"]')
  const input = form?.querySelector<HTMLInputElement>('input[name="q"]')
  const q = searchQuery()
  if (input && q) input.value = q
  form?.addEventListener('submit', (e) => {
    e.preventDefault()
    const value = new FormData(form).get('q')
    if (typeof value === 'string' && value.trim()) location.assign(searchUrl(value.trim()))
  })
  // Tells scripts driving the page (and tests) that a search typed now will be handled.
  if (form) form.dataset.wired = 'true'
  // A new query on the home page changes only the fragment: render the new results.
  window.addEventListener('hashchange', () => location.reload())
}

function categoryNav(categories: readonly string[]): void {
  const nav = document.getElementById('categories')
  if (!nav) return
  const active = new URLSearchParams(location.search).get('category')
  const list = h('ul', {})
  for (const c of categories) {
    const a = h('a', { href: `/?category=${encodeURIComponent(c)}` }, categoryLabel(c))
    if (c === active) a.setAttribute('aria-current', 'page')
    list.append(h('li', {}, a))
  }
  nav.replaceChildren(list)
}

function markCurrentNav(page: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) if (a.dataset.nav === page) a.setAttribute('aria-current', 'page')
}

function cartBadge(): void {
  onCartChange((lines) => {
    const badge = document.getElementById('cart-count')
    if (badge) badge.textContent = String(cartCount(lines))
  })
}

/** Asks once for consent to share noised model updates; recording on the device needs none. */
function consentBanner(): void {
  void sdkClient().then(async (client) => {
    if ((await client.consent.state()) !== 'pending' || document.body.dataset.page === 'privacy') return
    const allow = h('button', { class: 'button', id: 'consent-grant', type: 'button' }, 'Allow')
    const no = h('button', { class: 'button button--quiet', id: 'consent-deny', type: 'button' }, 'No thanks')
    const text = h('p', { id: 'consent-text' }, 'Recommendations are learned on this device. Help improve them for everyone by sharing noised model updates — never your history? ', h('a', { href: '/privacy.html' }, 'Learn more'))
    const bar = h('div', { class: 'consent', role: 'dialog', 'aria-label': 'Privacy choice', 'aria-describedby': 'consent-text' }, text, h('div', { class: 'consent__actions' }, allow, no))
    allow.addEventListener('click', () => void client.consent.grant().then(() => bar.remove()))
    no.addEventListener('click', () => void client.consent.deny().then(() => bar.remove()))
    document.body.append(bar)
  })
}

/** Wires the shared parts of a page. */
export function layout(page: string, categories: readonly string[]): void {
  categoryNav(categories)
  markCurrentNav(page)
  cartBadge()
  wireSearch()
  consentBanner()
}
