/** The order confirmation page (`order.html#<order id>`), read from this browser's order history. */
import { orders } from '../cart-state.js'
import { h, money } from '../dom.js'

/** Renders the confirmation of the order named in the fragment. */
export function orderPage(main: HTMLElement): void {
  const id = decodeURIComponent(location.hash.slice(1))
  const order = orders().find((o) => o.id === id)
  main.replaceChildren()
  if (!order) {
    main.append(h('h1', {}, 'Order not found'), h('p', {}, 'This browser has no order with that number. ', h('a', { href: '/' }, 'Back to the store')))
    return
  }
  main.append(
    h('section', { class: 'confirmation' }, h('h1', { id: 'order-confirmed' }, 'Thank you for your order'), h('p', {}, 'Order ', h('strong', { id: 'order-id' }, order.id), ` is confirmed — placed ${new Date(order.at).toLocaleString('en-US')}.`)),
    h('ul', { class: 'cart', id: 'order-lines' }, ...order.lines.map((l) => h('li', {}, h('span', { class: 'cart__title' }, `${l.qty} × ${l.title}`), h('span', { class: 'cart__line-total' }, money.format(l.price * l.qty))))),
    h('p', { class: 'price', id: 'order-total' }, `Total ${money.format(order.total)}`),
    h('p', {}, h('a', { class: 'button', href: '/' }, 'Continue shopping')),
  )
}
