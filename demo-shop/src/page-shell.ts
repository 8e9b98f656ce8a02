/**
 * The HTML of every store page: the SDK's queue stub and one async script tag (what a shop pastes
 * into its template), the header with search, cart and privacy links, and the page script.
 * The build writes one file per page from this, so the pages cannot drift apart.
 */

/**
 * The device privacy budget the demo store configures: generous, because the demo's rounds use
 * little noise (z = 0.1 costs about ε 110 a round at q = 1) so that learning shows within a few
 * rounds. A real deployment would aim for single-digit ε with far larger cohorts.
 */
export const DEMO_BUDGET = { epsilon: 1000, delta: 1e-6 } as const

/** The store's pages: file name, `data-page` and title. */
export const PAGES = [
  { file: 'index.html', page: 'home', title: 'fedrec demo store' },
  { file: 'product.html', page: 'product', title: 'Product · fedrec demo store' },
  { file: 'cart.html', page: 'cart', title: 'Your cart · fedrec demo store' },
  { file: 'order.html', page: 'order', title: 'Order confirmed · fedrec demo store' },
  { file: 'privacy.html', page: 'privacy', title: 'Your privacy · fedrec demo store' },
] as const
export type PageName = (typeof PAGES)[number]['page']

/**
 * The page's HTML.
 * @example pageHtml(PAGES[0]) // '<!doctype html>…'
 */
export function pageHtml(p: (typeof PAGES)[number]): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${p.title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/shop/styles.css">
  <!-- fedrec: queue stub + one async tag. Calls made before the SDK loads are kept and replayed. -->
  <script>window.fedrec=window.fedrec||function(){(window.fedrec.q=window.fedrec.q||[]).push(arguments)};
  fedrec('init',{privacy:{budget:{epsilon:${DEMO_BUDGET.epsilon},delta:${DEMO_BUDGET.delta}}}});</script>
  <script async src="/sdk/fedrec-loader.js" data-api="/"></script>
  <script type="module" src="/shop/app.js"></script>
</head>
<body data-page="${p.page}">
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <a class="logo" href="/">fedrec<span> store</span></a>
    <!-- method="dialog": a search submitted before the store's script has run goes nowhere, so the
         query never reaches the server in a URL; layout.ts moves it into the fragment. -->
    <form action="/" method="dialog" role="search">
      <label class="visually-hidden" for="search-q">Search products</label>
      <input id="search-q" name="q" type="search" placeholder="Search products" autocomplete="off">
    </form>
    <nav class="site-nav" aria-label="Your account">
      <a href="/privacy.html" data-nav="privacy">Privacy</a>
      <a href="/cart.html" data-nav="cart" class="cart-link">Cart <span class="badge" id="cart-count" aria-label="items in cart">0</span></a>
    </nav>
  </header>
  <nav id="categories" class="categories" aria-label="Categories"></nav>
  <main id="main" tabindex="-1"><p class="muted" role="status">Loading…</p></main>
  <footer class="site-footer">
    <p>A demo store for <strong>fedrec</strong>: recommendations are learned on your device; only noised model updates leave it, and only with your consent. <a href="/privacy.html">See what is stored and sent</a>.</p>
    <p class="muted">Catalogue: DummyJSON products (MIT). Images are drawn from each product's category, colour and title.</p>
  </footer>
</body>
</html>
`
}
