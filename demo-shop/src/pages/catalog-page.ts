/** Home, category and search-results pages: a product grid, with "Recommended for you" on home. */
import type { Product } from '../catalog-data.js'
import { categoryLabel, h, money } from '../dom.js'
import { candidate, ga4Item, imageUrl, productUrl } from '../ga4-items.js'
import { searchQuery } from '../layout.js'
import { track } from '../sdk.js'
import { widget } from '../widgets.js'

/** Ways the grid can be sorted; 'featured' keeps the catalogue order. */
const SORTS = {
  featured: { label: 'Featured', cmp: (): number => 0 },
  'price-asc': { label: 'Price: low to high', cmp: (a: Product, b: Product): number => a.price - b.price },
  'price-desc': { label: 'Price: high to low', cmp: (a: Product, b: Product): number => b.price - a.price },
  rating: { label: 'Best rated', cmp: (a: Product, b: Product): number => b.rating - a.rating },
} as const
type SortKey = keyof typeof SORTS

/** A product card linking to its page; a click records GA4 `select_item` with the list it was in. */
export function productCard(p: Product, listId: string, index: number): HTMLElement {
  const link = h(
    'a',
    { href: productUrl(p), class: 'card', 'data-sku': p.sku },
    h('img', { src: imageUrl(p), alt: '', loading: 'lazy', width: '400', height: '400' }),
    h('span', { class: 'card__title' }, p.title),
    h('span', { class: 'card__meta' }, `${p.brand || categoryLabel(p.category)} · ★ ${p.rating.toFixed(1)}`),
    h('span', { class: 'card__price' }, money.format(p.price)),
  )
  link.addEventListener('click', () => track('select_item', { item_list_id: listId, items: [ga4Item(p, { index, item_list_id: listId })] }))
  return link
}

/** Words of a query all found in a product's title, category, brand or tags. */
export function matches(p: Product, q: string): boolean {
  const text = `${p.title} ${p.category} ${p.brand} ${p.tags.join(' ')}`.toLowerCase()
  return q.toLowerCase().split(/\s+/).filter(Boolean).every((t) => text.includes(t))
}

function grid(products: readonly Product[], listId: string, sort: SortKey): HTMLElement {
  const sorted = [...products].sort(SORTS[sort].cmp)
  return h('div', { class: 'grid', id: 'products', role: 'list' }, ...sorted.map((p, i) => {
    const card = productCard(p, listId, i)
    card.setAttribute('role', 'listitem')
    return card
  }))
}

/** Renders home (with the "Recommended for you" widget), a category (`?category=`) or search results (`#q=`). */
export function catalogPage(main: HTMLElement, products: readonly Product[]): void {
  const params = new URLSearchParams(location.search)
  const category = params.get('category')
  const q = searchQuery()
  let shown: readonly Product[] = products
  let heading = 'All products'
  let listId = 'all_products'
  if (category) {
    shown = products.filter((p) => p.category === category)
    heading = categoryLabel(category)
    listId = `category_${category}`
  } else if (q) {
    shown = products.filter((p) => matches(p, q))
    heading = `Results for “${q}”`
    listId = 'search_results'
    track('search', { search_term: q })
  }
  main.replaceChildren()
  if (!category && !q) {
    main.append(h('section', { class: 'hero' }, h('h1', {}, 'Welcome to the fedrec store'), h('p', {}, 'Everything below is ranked on your device. ', h('a', { href: '/privacy.html' }, 'What does that mean?'))))
    const candidates = products.map(candidate)
    main.append(
      widget('for-you', { title: 'Recommended for you', type: 'for_you', candidates, limit: 8 }),
      widget('recently-viewed', { title: 'Recently viewed', type: 'recently_viewed', candidates, limit: 6, empty: 'Products you look at appear here. The list lives only on this device.' }),
      widget('trending', { title: 'Trending', type: 'trending', candidates, limit: 6 }),
    )
  }
  const sortKey: SortKey = (Object.keys(SORTS) as SortKey[]).find((k) => k === params.get('sort')) ?? 'featured'
  const select = h('select', { id: 'sort', name: 'sort' }, ...Object.entries(SORTS).map(([k, s]) => {
    const o = h('option', { value: k }, s.label)
    o.selected = k === sortKey
    return o
  }))
  const toolbar = h('div', { class: 'toolbar' }, h('p', { class: 'muted', role: 'status' }, `${shown.length} product${shown.length === 1 ? '' : 's'}`), h('label', {}, 'Sort by ', select))
  let current = grid(shown, listId, sortKey)
  select.addEventListener('change', () => {
    const next = grid(shown, listId, select.value as SortKey)
    current.replaceWith(next)
    current = next
    const url = new URL(location.href)
    url.searchParams.set('sort', select.value)
    history.replaceState(null, '', url)
  })
  main.append(h(category || q ? 'h1' : 'h2', { class: category ? 'list-heading list-heading--category' : 'list-heading' }, heading), toolbar, current)
  if (shown.length === 0) main.append(h('p', { class: 'muted', id: 'no-results' }, 'No products match. Try another word, or browse a category above.'))
  // A category or a result list says what the shopper looked for; the home page's full
  // catalogue says nothing, so it is not recorded.
  else if (category || q) track('view_item_list', { item_list_id: listId, items: shown.slice(0, 20).map((p, index) => ga4Item(p, { index, item_list_id: listId })) })
}
