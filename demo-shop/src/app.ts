/**
 * The demo store's page script. It uses the SDK only as a shop would: through the `fedrec(...)`
 * command function of the script tag, and talks to the API only over HTTP.
 */
import type { Candidate, FedrecGlobal } from '../../sdk/src/entrypoints/sdk.js'
import type { Product } from './catalog-data.js'

declare global {
  interface Window {
    fedrec: FedrecGlobal | ((...args: unknown[]) => void)
  }
}

const fedrec = (...args: unknown[]): void => (window.fedrec as (...a: unknown[]) => void)(...args)

interface CartLine {
  readonly id: number
  qty: number
}

const CART_KEY = 'demo-shop-cart'
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v)
  el.append(...children)
  return el
}

function cart(): CartLine[] {
  try {
    return JSON.parse(localStorage.getItem(CART_KEY) ?? '[]') as CartLine[]
  } catch {
    return []
  }
}
function saveCart(lines: CartLine[]): void {
  localStorage.setItem(CART_KEY, JSON.stringify(lines))
  const badge = document.getElementById('cart-count')
  if (badge) badge.textContent = String(lines.reduce((n, l) => n + l.qty, 0))
}

/** GA4 item for a product. */
function item(p: Product, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { item_id: p.sku, item_name: p.title, item_category: p.category, item_brand: p.brand, price: p.price, ...extra }
}
function candidate(p: Product): Candidate {
  return { item_id: p.sku, item_name: p.title, item_category: p.category, price: p.price, url: `/product.html?id=${p.id}`, image: `/img/${p.id}.svg` }
}

function card(p: Product, listId: string, index: number): HTMLElement {
  const link = h('a', { href: `/product.html?id=${p.id}`, class: 'card', 'data-sku': p.sku }, h('img', { src: `/img/${p.id}.svg`, alt: '', loading: 'lazy' }), h('span', { class: 'card__title' }, p.title), h('span', { class: 'card__price' }, money.format(p.price)))
  link.addEventListener('click', () => fedrec('event', 'select_item', { item_list_id: listId, items: [item(p, { index, item_list_id: listId })] }))
  return link
}

function widget(id: string, title: string, listId: string, candidates: Candidate[], limit = 8): HTMLElement {
  const el = h('div', { id, class: 'widget-slot', 'aria-live': 'polite' }, h('p', { class: 'muted' }, `Loading ${title.toLowerCase()}…`))
  fedrec('render', el, { title, listId, candidates, limit })
  return el
}

function home(main: HTMLElement, products: Product[]): void {
  const category = new URLSearchParams(location.search).get('category')
  const q = searchQuery()
  let shown = products
  let heading = 'All products'
  if (category) {
    shown = products.filter((p) => p.category === category)
    heading = category.replace(/-/g, ' ')
  } else if (q) {
    const terms = q.toLowerCase().split(/\s+/)
    shown = products.filter((p) => terms.every((t) => `${p.title} ${p.category} ${p.brand} ${p.tags.join(' ')}`.toLowerCase().includes(t)))
    heading = `Results for “${q}”`
    fedrec('event', 'search', { search_term: q })
  }
  if (!category && !q) main.append(widget('for-you', 'Recommended for you', 'for_you', products.map(candidate)))
  const listId = category ? `category_${category}` : q ? 'search_results' : 'all_products'
  main.append(h('h1', {}, heading), h('div', { class: 'grid', id: 'products' }, ...shown.map((p, i) => card(p, listId, i))))
  if (shown.length === 0) main.append(h('p', { class: 'muted' }, 'No products match.'))
}

function productPage(main: HTMLElement, products: Product[]): void {
  const id = Number(new URLSearchParams(location.search).get('id'))
  const p = products.find((x) => x.id === id)
  if (!p) {
    main.append(h('h1', {}, 'Product not found'))
    return
  }
  fedrec('event', 'view_item', { currency: 'USD', value: p.price, items: [item(p)] })
  const add = h('button', { id: 'add-to-cart', class: 'button' }, 'Add to cart')
  add.addEventListener('click', () => {
    const lines = cart()
    const line = lines.find((l) => l.id === p.id)
    if (line) line.qty++
    else lines.push({ id: p.id, qty: 1 })
    saveCart(lines)
    fedrec('event', 'add_to_cart', { currency: 'USD', value: p.price, items: [item(p, { quantity: 1 })] })
    add.textContent = 'Added ✓'
  })
  main.append(
    h('article', { class: 'product' }, h('img', { src: `/img/${p.id}.svg`, alt: p.title }), h('div', {}, h('h1', {}, p.title), h('p', { class: 'muted' }, `${p.brand} · ${p.category.replace(/-/g, ' ')} · ★ ${p.rating.toFixed(1)}`), h('p', { class: 'price' }, money.format(p.price)), h('p', {}, p.description), add)),
    widget('related', 'Related', 'related', products.filter((x) => x.id !== p.id).map(candidate), 6),
  )
}

function cartPage(main: HTMLElement, products: Product[]): void {
  const lines = cart()
  const rows = lines.map((l) => ({ l, p: products.find((x) => x.id === l.id) })).filter((r): r is { l: CartLine; p: Product } => r.p !== undefined)
  main.append(h('h1', {}, 'Your cart'))
  if (rows.length === 0) {
    main.append(h('p', { class: 'muted', id: 'cart-empty' }, 'Your cart is empty.'))
    return
  }
  const total = rows.reduce((n, r) => n + r.p.price * r.l.qty, 0)
  main.append(h('ul', { class: 'cart' }, ...rows.map((r) => h('li', {}, `${r.l.qty} × ${r.p.title}`, h('span', {}, money.format(r.p.price * r.l.qty))))), h('p', { class: 'price' }, `Total ${money.format(total)}`))
  const buy = h('button', { id: 'checkout', class: 'button' }, 'Place order')
  buy.addEventListener('click', () => {
    const transaction_id = `T${Date.now()}`
    fedrec('event', 'purchase', { currency: 'USD', value: total, transaction_id, items: rows.map((r) => item(r.p, { quantity: r.l.qty })) })
    saveCart([])
    main.replaceChildren(h('h1', { id: 'order-confirmed' }, 'Thank you for your order'), h('p', {}, `Order ${transaction_id} is confirmed.`))
  })
  main.append(buy)
}

/**
 * Search runs in the page over the catalogue, with the query in the URL fragment (`/#q=…`): a
 * fragment is never sent to a server, not even in a Referer, so what a shopper types stays on
 * the device like everything else the SDK records.
 */
function searchQuery(): string | undefined {
  return new URLSearchParams(location.hash.slice(1)).get('q')?.trim() || undefined
}

function wireSearch(): void {
  const form = document.querySelector<HTMLFormElement>('form[role="search"]')
  form?.addEventListener('submit', (e) => {
    e.preventDefault()
    const q = new FormData(form).get('q')
    if (typeof q === 'string' && q.trim()) location.assign(`/#${new URLSearchParams({ q: q.trim() }).toString()}`)
  })
  window.addEventListener('hashchange', () => location.reload())
}

function consentBanner(): void {
  fedrec((client: { consent: { state(): Promise<string>; grant(): Promise<void>; deny(): Promise<void> } }) => {
    void client.consent.state().then((state) => {
      if (state !== 'pending') return
      const allow = h('button', { class: 'button', id: 'consent-grant' }, 'Allow')
      const no = h('button', { class: 'button button--quiet', id: 'consent-deny' }, 'No thanks')
      const bar = h('div', { class: 'consent', role: 'dialog', 'aria-label': 'Privacy' }, h('p', {}, 'Recommendations are learned on this device. Help improve them for everyone by sharing noised model updates — never your history?'), allow, no)
      allow.addEventListener('click', () => void client.consent.grant().then(() => bar.remove()))
      no.addEventListener('click', () => void client.consent.deny().then(() => bar.remove()))
      document.body.append(bar)
    })
  })
}

async function main(): Promise<void> {
  const root = document.getElementById('main')
  if (!root) return
  saveCart(cart())
  const products = (await (await fetch('/shop/products.json')).json()) as Product[]
  const nav = document.getElementById('categories')
  if (nav) for (const c of [...new Set(products.map((p) => p.category))]) nav.append(h('a', { href: `/?category=${encodeURIComponent(c)}` }, c.replace(/-/g, ' ')))
  const page = document.body.dataset.page
  if (page === 'product') productPage(root, products)
  else if (page === 'cart') cartPage(root, products)
  else home(root, products)
  wireSearch()
  consentBanner()
}

void main()
