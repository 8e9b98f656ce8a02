/**
 * Renders a recommendation list into the page from `html` templates (escaped by default), with
 * BEM class names a shop can override, and reports impressions and clicks to the caller.
 */
import type { Explanation } from '../recommend/types.js'
import { html, safeUrl, type SafeHtml } from './templates.js'

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

/** One recommended item: the shop's item data, its score, its place and why it is shown. */
export interface Recommendation<T extends Candidate = Candidate> extends RankedItem<T> {
  /** 0-based position in the list (GA4 `index`). */
  readonly position: number
  readonly reason: Explanation
}

/** Class names of the widget's parts; a shop passes any subset to restyle it. */
export interface WidgetClasses {
  readonly root: string
  readonly title: string
  readonly list: string
  readonly item: string
  readonly link: string
  readonly image: string
  readonly name: string
  readonly price: string
  readonly why: string
  readonly whyText: string
}

export const DEFAULT_CLASSES = {
  root: 'fedrec-widget',
  title: 'fedrec-widget__title',
  list: 'fedrec-widget__list',
  item: 'fedrec-widget__item',
  link: 'fedrec-widget__link',
  image: 'fedrec-widget__image',
  name: 'fedrec-widget__name',
  price: 'fedrec-widget__price',
  why: 'fedrec-widget__why',
  whyText: 'fedrec-widget__why-text',
} as const satisfies WidgetClasses

/** What a custom item template receives besides the item. */
export interface TemplateContext {
  readonly classes: WidgetClasses
  readonly listId: string
  /** The price in the widget's currency, e.g. "$12.99". */
  readonly price: (amount: number) => string
  /** Whether the widget shows "why am I seeing this?". */
  readonly explain: boolean
}

/** Renders the inside of one list item. Use the `html` tag: it escapes what it interpolates. */
export type ItemTemplate<T extends Candidate = Candidate> = (rec: Recommendation<T>, ctx: TemplateContext) => SafeHtml

export interface RenderOptions<T extends Candidate = Candidate> {
  readonly title?: string
  /** List id recorded with impressions and clicks (GA4 `item_list_id`). Default: the list type. */
  readonly listId?: string
  readonly limit?: number
  readonly currency?: string
  /**
   * Formats a price for the default template. Default: the currency's symbol and two decimals
   * ("$12.50", "12.50 CHF"). Pass `(n, c) => new Intl.NumberFormat(locale, { style: 'currency',
   * currency: c }).format(n)` for local formats: the SDK does not itself, because building the
   * first `Intl.NumberFormat` of a page loads ICU data on the main thread (20–60 ms measured).
   */
  readonly formatPrice?: (amount: number, currency: string) => string
  /** Show a "Why am I seeing this?" toggle with the on-device explanation. Default false. */
  readonly explain?: boolean
  readonly template?: ItemTemplate<T>
  readonly classes?: Partial<WidgetClasses>
  /** Called after the widget is in the page. */
  readonly onRender?: (recs: readonly Recommendation<T>[], root: HTMLElement) => void
  /** Called when the shopper picks an item (after `select_item` is recorded). */
  readonly onSelect?: (rec: Recommendation<T>, event: MouseEvent) => void
}

/**
 * The default item: link, image, name, price and, when asked, the explanation.
 * @example defaultTemplate(rec, ctx).html
 */
export function defaultTemplate(rec: Recommendation, ctx: TemplateContext): SafeHtml {
  const { item } = rec
  const c = ctx.classes
  return html`<a class="${c.link}" href="${safeUrl(item.url)}">${item.image ? html`<img class="${c.image}" src="${safeUrl(item.image)}" alt="" loading="lazy">` : null}<span class="${c.name}">${item.item_name ?? item.item_id}</span>${typeof item.price === 'number' ? html`<span class="${c.price}">${ctx.price(item.price)}</span>` : null}</a>${ctx.explain ? html`<details class="${c.why}"><summary>Why am I seeing this?</summary><span class="${c.whyText}">${rec.reason.text}</span></details>` : null}`
}

const SYMBOLS: Readonly<Record<string, string>> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', INR: '₹', AUD: 'A$', CAD: 'CA$' }

/**
 * The default price format: symbol and two decimals, no ICU (see `RenderOptions.formatPrice`).
 * @example formatPrice(12.5, 'USD') // '$12.50'
 */
export function formatPrice(amount: number, currency: string): string {
  const n = amount.toFixed(currency === 'JPY' ? 0 : 2)
  const sym = SYMBOLS[currency]
  return sym ? `${sym}${n}` : `${n} ${currency}`
}

/** What the widget reports back to the SDK. */
export interface WidgetEvents<T extends Candidate> {
  /** The list came into view (once per render). */
  impression(recs: readonly Recommendation<T>[]): void
  select(rec: Recommendation<T>, event: MouseEvent): void
}

/**
 * Builds the widget inside `target`, replacing what was there. Returns a function that stops
 * watching it (impression observer, click listener).
 * @example const stop = renderList(el, recs, { title: 'For you', explain: true }, events)
 */
export function renderList<T extends Candidate>(target: Element, recs: readonly Recommendation<T>[], opts: RenderOptions<T>, events: WidgetEvents<T>): () => void {
  const classes: WidgetClasses = { ...DEFAULT_CLASSES, ...opts.classes }
  const currency = opts.currency ?? 'USD'
  const fmt = opts.formatPrice ?? formatPrice
  const ctx: TemplateContext = { classes, listId: opts.listId ?? '', price: (n) => fmt(n, currency), explain: opts.explain ?? false }
  const template = (opts.template ?? defaultTemplate) as ItemTemplate<T>
  const shown = recs.slice(0, opts.limit ?? 8)
  const markup = html`<section class="${classes.root}" data-fedrec-list="${ctx.listId}">${opts.title ? html`<h2 class="${classes.title}">${opts.title}</h2>` : null}<ol class="${classes.list}">${shown.map((rec, i) => html`<li class="${classes.item}" data-item-id="${rec.item.item_id}" data-fedrec-position="${i}">${template(rec, ctx)}</li>`)}</ol></section>`
  const tpl = target.ownerDocument.createElement('template')
  tpl.innerHTML = markup.html
  const root = tpl.content.firstElementChild as HTMLElement
  target.replaceChildren(root)

  const onClick = (e: Event): void => {
    const el = e.target as Element | null
    // Opening "why am I seeing this?" is not a choice of the item.
    if (!el || el.closest('details')) return
    const li = el.closest('[data-fedrec-position]')
    const rec = li ? shown[Number(li.getAttribute('data-fedrec-position'))] : undefined
    if (rec) events.select(rec, e as MouseEvent)
  }
  root.addEventListener('click', onClick)
  let observer: IntersectionObserver | null = null
  if (shown.length > 0) {
    if (typeof IntersectionObserver === 'function') {
      // An impression is the list actually on screen, once per render (not merely in the DOM).
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer?.disconnect()
          events.impression(shown)
        }
      })
      observer.observe(root)
    } else events.impression(shown)
  }
  return () => {
    observer?.disconnect()
    root.removeEventListener('click', onClick)
  }
}
