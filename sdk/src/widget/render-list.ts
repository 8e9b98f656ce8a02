/** Renders a recommendation list into the page with DOM APIs (text is never parsed as HTML). */

/** A product the page offers for ranking. Extra fields are kept and returned as given. */
export interface Candidate {
  readonly item_id: string
  readonly item_name?: string
  readonly item_category?: string
  readonly price?: number
  readonly url?: string
  readonly image?: string
}

/** A candidate with its on-device score (null when the model does not know the item). */
export interface RankedItem<T extends Candidate = Candidate> {
  readonly item: T
  readonly score: number | null
}

export interface RenderOptions {
  readonly title?: string
  /** List id recorded with impressions and clicks (GA4 `item_list_id`). */
  readonly listId?: string
  readonly limit?: number
  readonly currency?: string
}

/**
 * Builds the widget DOM. Class names follow BEM (`fedrec-widget__item`) so a shop can restyle
 * them; every piece of text goes through `textContent`, so a title holding markup shows as text.
 * @example renderList(el, ranked, { title: 'Recommended for you', listId: 'for_you' }, onSelect)
 */
export function renderList(
  target: Element,
  ranked: readonly RankedItem[],
  opts: RenderOptions,
  onSelect: (item: Candidate, index: number) => void,
): void {
  const doc = target.ownerDocument
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
    const n = doc.createElement(tag)
    n.className = cls
    if (text !== undefined) n.textContent = text
    return n
  }
  const section = el('section', 'fedrec-widget')
  section.dataset.fedrecList = opts.listId ?? 'for_you'
  if (opts.title) section.append(el('h2', 'fedrec-widget__title', opts.title))
  const list = el('ol', 'fedrec-widget__list')
  ranked.slice(0, opts.limit ?? 8).forEach(({ item }, index) => {
    const li = el('li', 'fedrec-widget__item')
    li.dataset.itemId = item.item_id
    const link = el('a', 'fedrec-widget__link')
    if (item.url) link.href = item.url
    if (item.image) {
      const img = el('img', 'fedrec-widget__image')
      img.src = item.image
      img.alt = ''
      img.loading = 'lazy'
      link.append(img)
    }
    link.append(el('span', 'fedrec-widget__name', item.item_name ?? item.item_id))
    if (typeof item.price === 'number') {
      const price = new Intl.NumberFormat(undefined, { style: 'currency', currency: opts.currency ?? 'USD' }).format(item.price)
      link.append(el('span', 'fedrec-widget__price', price))
    }
    link.addEventListener('click', () => onSelect(item, index))
    li.append(link)
    list.append(li)
  })
  section.append(list)
  target.replaceChildren(section)
}
