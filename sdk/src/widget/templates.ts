/**
 * Tagged `html` templates that escape every interpolated value unless it is itself a template
 * result, so a product title holding `<script>` renders as text (lit-html's rule, in 30 lines).
 */

const SAFE = Symbol('fedrec.safeHtml')

/** Markup produced by {@link html}; the only kind of string the widget inserts unescaped. */
export interface SafeHtml {
  readonly [SAFE]: true
  readonly html: string
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }

/**
 * Escapes text for an HTML text node or a quoted attribute value.
 * @example escapeHtml('<b>') // '&lt;b&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)
}

/** True for a {@link SafeHtml} value. */
export function isSafeHtml(v: unknown): v is SafeHtml {
  return typeof v === 'object' && v !== null && (v as { [SAFE]?: unknown })[SAFE] === true
}

function part(v: unknown): string {
  if (v === null || v === undefined || v === false) return ''
  if (isSafeHtml(v)) return v.html
  if (Array.isArray(v)) return v.map(part).join('')
  return escapeHtml(String(v))
}

/**
 * The template tag. Values are escaped; nested `html` results and arrays of them are kept;
 * `null`, `undefined` and `false` render nothing.
 * @example html`<a href="${safeUrl(item.url)}">${item.item_name}</a>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!
  values.forEach((v, i) => (out += part(v) + strings[i + 1]!))
  return { [SAFE]: true, html: out }
}

/**
 * Markup the shop vouches for, inserted as is. Never pass it anything a shopper or a catalogue
 * feed can write.
 * @example unsafeHtml('<svg>…</svg>')
 */
export function unsafeHtml(markup: string): SafeHtml {
  return { [SAFE]: true, html: markup }
}

/**
 * A URL for an `href` or `src`: relative, http(s) or a data image; anything else (`javascript:`)
 * becomes `#`. Escaping alone does not stop a script URL.
 * @example safeUrl('javascript:alert(1)') // '#'
 */
export function safeUrl(url: string | undefined): string {
  if (!url) return '#'
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  if (scheme === undefined || scheme === 'http' || scheme === 'https') return url
  return scheme === 'data' && /^\s*data:image\/(png|gif|jpeg|webp);/i.test(url) ? url : '#'
}
