/** The cart: quantities, removal, total, checkout (GA4 `purchase`) to the confirmation page, and "Often bought together". */
import { cartLines, placeOrder, setQuantity, MAX_QTY, type CartLine } from '../cart-state.js'
import type { Product } from '../catalog-data.js'
import { h, money } from '../dom.js'
import { candidate, ga4Item, imageUrl, productUrl } from '../ga4-items.js'
import { settleEvents, track } from '../sdk.js'
import { widget } from '../widgets.js'

interface Row {
  readonly line: CartLine
  readonly p: Product
}

function rowsOf(products: readonly Product[]): Row[] {
  return cartLines().flatMap((line) => {
    const p = products.find((x) => x.id === line.id)
    return p ? [{ line, p }] : []
  })
}

/** Renders the cart page (and re-renders it after every change). */
export function cartPage(main: HTMLElement, products: readonly Product[]): void {
  const rows = rowsOf(products)
  main.replaceChildren(h('h1', {}, 'Your cart'))
  if (rows.length === 0) {
    main.append(h('p', { class: 'muted', id: 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '/' }, 'Continue shopping')))
    return
  }
  const rerender = (): void => cartPage(main, products)
  const list = h('ul', { class: 'cart', id: 'cart-lines' })
  for (const { line, p } of rows) {
    const qty = h('input', { type: 'number', min: '0', max: String(MAX_QTY), value: String(line.qty), 'aria-label': `Quantity of ${p.title}`, class: 'cart__qty' })
    qty.addEventListener('change', () => {
      setQuantity(p.id, Number(qty.value) || 0)
      rerender()
    })
    const remove = h('button', { type: 'button', class: 'button button--quiet button--small', 'aria-label': `Remove ${p.title}` }, 'Remove')
    remove.addEventListener('click', () => {
      setQuantity(p.id, 0)
      rerender()
    })
    list.append(h('li', { 'data-sku': p.sku }, h('img', { src: imageUrl(p), alt: '', width: '64', height: '64' }), h('a', { href: productUrl(p), class: 'cart__title' }, p.title), qty, h('span', { class: 'cart__line-total' }, money.format(p.price * line.qty)), remove))
  }
  const total = rows.reduce((n, r) => n + r.p.price * r.line.qty, 0)
  const buy = h('button', { id: 'checkout', class: 'button', type: 'button' }, 'Place order')
  buy.addEventListener('click', () => {
    buy.disabled = true
    const order = placeOrder(rows.map(({ line, p }) => ({ ...line, title: p.title, price: p.price })))
    track('purchase', { currency: 'USD', value: order.total, transaction_id: order.id, items: rows.map((r) => ga4Item(r.p, { quantity: r.line.qty })) })
    // The order id travels in the fragment: it never reaches a server.
    void settleEvents().then(() => location.assign(`/order.html#${encodeURIComponent(order.id)}`))
  })
  const inCart = new Set(rows.map((r) => r.p.id))
  main.append(list, h('div', { class: 'checkout' }, h('p', { class: 'price', id: 'cart-total' }, `Total ${money.format(total)}`), h('p', { class: 'muted' }, 'Checkout is simulated: no payment, nothing leaves this browser.'), buy), widget('cart-bought-together', { title: 'Often bought together', type: 'bought_together', itemIds: rows.map((r) => r.p.sku), candidates: products.filter((p) => !inCart.has(p.id)).map(candidate), limit: 6 }))
}
