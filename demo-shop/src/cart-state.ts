/**
 * The shopper's cart and past orders, kept in this browser's localStorage like any small shop
 * would. The store never sends them anywhere; checkout is simulated.
 */

export interface CartLine {
  readonly id: number
  readonly qty: number
}

/** A placed order, as the confirmation page shows it. */
export interface Order {
  readonly id: string
  readonly at: number
  readonly lines: readonly (CartLine & { readonly title: string; readonly price: number })[]
  readonly total: number
}

const CART_KEY = 'demo-shop-cart'
const ORDERS_KEY = 'demo-shop-orders'
/** Orders kept for the confirmation page and the order history. */
const KEEP_ORDERS = 20
/** Largest quantity of one product in the cart. */
export const MAX_QTY = 99

function read<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key) ?? 'null')
    return valid(v) ? v : fallback
  } catch {
    return fallback
  }
}

const isLines = (v: unknown): v is CartLine[] =>
  Array.isArray(v) && v.every((l) => l && Number.isInteger((l as CartLine).id) && Number.isInteger((l as CartLine).qty) && (l as CartLine).qty > 0)
const isOrders = (v: unknown): v is Order[] => Array.isArray(v) && v.every((o) => o && typeof (o as Order).id === 'string' && Array.isArray((o as Order).lines))

const listeners = new Set<(lines: readonly CartLine[]) => void>()

/** The cart's lines (a corrupt or missing cart reads as empty). */
export function cartLines(): CartLine[] {
  return read(CART_KEY, [], isLines)
}

/** Total number of items in the cart. */
export function cartCount(lines: readonly CartLine[] = cartLines()): number {
  return lines.reduce((n, l) => n + l.qty, 0)
}

function save(lines: readonly CartLine[]): void {
  localStorage.setItem(CART_KEY, JSON.stringify(lines))
  for (const fn of listeners) fn(lines)
}

/** Calls `fn` now and whenever this page changes the cart. */
export function onCartChange(fn: (lines: readonly CartLine[]) => void): void {
  listeners.add(fn)
  fn(cartLines())
}

/**
 * Sets a product's quantity (0 removes the line); quantities are clamped to 0..MAX_QTY.
 * @returns the quantity now in the cart
 */
export function setQuantity(id: number, qty: number): number {
  const q = Math.max(0, Math.min(MAX_QTY, Math.floor(qty)))
  const lines = cartLines()
  const idx = lines.findIndex((l) => l.id === id)
  if (idx < 0 && q > 0) lines.push({ id, qty: q })
  else if (q > 0) lines[idx] = { id, qty: q }
  else if (idx >= 0) lines.splice(idx, 1)
  save(lines)
  return q
}

/** Adds `n` of a product. @returns the quantity now in the cart */
export function addToCart(id: number, n = 1): number {
  return setQuantity(id, (cartLines().find((l) => l.id === id)?.qty ?? 0) + n)
}

/** Places the order: records it locally and empties the cart. */
export function placeOrder(lines: Order['lines']): Order {
  const order: Order = {
    id: `T${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1296).toString(36).toUpperCase()}`,
    at: Date.now(),
    lines,
    total: Math.round(lines.reduce((n, l) => n + l.price * l.qty, 0) * 100) / 100,
  }
  localStorage.setItem(ORDERS_KEY, JSON.stringify([order, ...orders()].slice(0, KEEP_ORDERS)))
  save([])
  return order
}

/** Orders placed in this browser, newest first. */
export function orders(): Order[] {
  return read(ORDERS_KEY, [], isOrders)
}
