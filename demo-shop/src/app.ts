/**
 * The demo store's page script. It uses the SDK only as a shop would: through the `fedrec(...)`
 * command function of the script tag, and talks to the API only over HTTP.
 */
import { categoriesOf, type Product } from './catalog-data.js'
import { h } from './dom.js'
import { layout } from './layout.js'
import { cartPage } from './pages/cart-page.js'
import { catalogPage } from './pages/catalog-page.js'
import { orderPage } from './pages/order-page.js'
import { privacyPage } from './pages/privacy-page.js'
import { productPage } from './pages/product-page.js'

async function main(): Promise<void> {
  const root = document.getElementById('main')
  if (!root) return
  const page = document.body.dataset.page ?? 'home'
  let products: Product[]
  try {
    products = (await (await fetch('/shop/products.json')).json()) as Product[]
  } catch (e) {
    root.replaceChildren(h('h1', {}, 'The store is unavailable'), h('p', {}, 'The catalogue could not be loaded. Please try again.'))
    console.error('[demo-shop] catalogue', e)
    return
  }
  layout(page, categoriesOf(products))
  if (page === 'product') productPage(root, products)
  else if (page === 'cart') cartPage(root, products)
  else if (page === 'order') orderPage(root)
  else if (page === 'privacy') privacyPage(root)
  else catalogPage(root, products)
}

void main()
