/** A product page: details, quantity and add to cart, and the "Related" and "Bought together" widgets. */
import { addToCart, MAX_QTY } from '../cart-state.js'
import type { Product } from '../catalog-data.js'
import { categoryLabel, h, money } from '../dom.js'
import { candidate, ga4Item, imageUrl } from '../ga4-items.js'
import { track } from '../sdk.js'
import { widget } from '../widgets.js'

/** Renders `product.html?id=N` and records GA4 `view_item`. */
export function productPage(main: HTMLElement, products: readonly Product[]): void {
  const id = Number(new URLSearchParams(location.search).get('id'))
  const p = products.find((x) => x.id === id)
  main.replaceChildren()
  if (!p) {
    main.append(h('h1', {}, 'Product not found'), h('p', {}, h('a', { href: '/' }, 'Back to the store')))
    return
  }
  document.title = `${p.title} · fedrec demo store`
  const others = products.filter((x) => x.id !== p.id).map(candidate)
  track('view_item', { currency: 'USD', value: p.price, items: [ga4Item(p)] })
  const qty = h('input', { id: 'quantity', name: 'quantity', type: 'number', min: '1', max: String(MAX_QTY), value: '1', inputmode: 'numeric' })
  const add = h('button', { id: 'add-to-cart', class: 'button', type: 'submit' }, 'Add to cart')
  const note = h('p', { class: 'added', role: 'status' })
  const form = h('form', { class: 'buy' }, h('label', { for: 'quantity' }, 'Quantity'), qty, add)
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const n = Math.max(1, Math.min(MAX_QTY, Math.floor(Number(qty.value) || 1)))
    const inCart = addToCart(p.id, n)
    track('add_to_cart', { currency: 'USD', value: p.price * n, items: [ga4Item(p, { quantity: n })] })
    add.textContent = 'Added ✓'
    note.replaceChildren(`${inCart} in your cart. `, h('a', { href: '/cart.html', id: 'go-to-cart' }, 'Go to cart'))
  })
  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('ol', {}, h('li', {}, h('a', { href: '/' }, 'Home')), h('li', {}, h('a', { href: `/?category=${encodeURIComponent(p.category)}` }, categoryLabel(p.category))), h('li', { 'aria-current': 'page' }, p.title)))
  const stock = p.stock > 0 ? (p.stock < 10 ? `Only ${p.stock} left` : 'In stock') : 'Out of stock'
  main.append(
    crumbs,
    h(
      'article',
      { class: 'product', 'data-sku': p.sku },
      h('img', { src: imageUrl(p), alt: p.title, width: '400', height: '400' }),
      h('div', { class: 'product__info' }, h('h1', {}, p.title), h('p', { class: 'muted' }, `${p.brand ? `${p.brand} · ` : ''}${categoryLabel(p.category)} · ★ ${p.rating.toFixed(1)}`), h('p', { class: 'price' }, money.format(p.price)), h('p', { class: 'stock' }, stock), h('p', {}, p.description), form, note),
    ),
    widget('related', { title: 'Related', type: 'related', itemId: p.sku, candidates: others, limit: 6 }),
    widget('bought-together', { title: 'Bought together', type: 'bought_together', itemId: p.sku, candidates: others, limit: 6 }),
  )
}
