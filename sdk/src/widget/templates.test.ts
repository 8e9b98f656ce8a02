import { describe, expect, it } from 'vitest'
import { escapeHtml, html, isSafeHtml, safeUrl, unsafeHtml } from './templates.js'

describe('html templates', () => {
  it('escapes interpolated text and attribute values', () => {
    const title = '<script>alert("x")</script> & \'co\''
    expect(html`<span title="${title}">${title}</span>`.html).toBe('<span title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</span>')
  })
  it('keeps nested templates and arrays, drops null, undefined and false', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`)
    expect(html`<ul>${items}${null}${undefined}${false}${0}</ul>`.html).toBe('<ul><li>a&lt;</li><li>b</li>0</ul>')
  })
  it('marks results, and nothing else, as safe', () => {
    expect(isSafeHtml(html`x`)).toBe(true)
    expect(isSafeHtml(unsafeHtml('<b>'))).toBe(true)
    expect(isSafeHtml({ html: '<b>' })).toBe(false)
    expect(html`${{ html: '<b>' }}`.html).toBe('[object Object]')
    expect(escapeHtml('`')).toBe('&#96;')
  })
  it('refuses script URLs', () => {
    expect(safeUrl('javascript:alert(1)')).toBe('#')
    expect(safeUrl(' JavaScript:alert(1)')).toBe('#')
    expect(safeUrl('data:text/html,<script>')).toBe('#')
    expect(safeUrl('/product.html?id=1')).toBe('/product.html?id=1')
    expect(safeUrl('https://shop.example/p/1')).toBe('https://shop.example/p/1')
    expect(safeUrl('data:image/png;base64,AAAA')).toBe('data:image/png;base64,AAAA')
    expect(safeUrl(undefined)).toBe('#')
  })
})

describe('default price format', () => {
  it('uses the symbol and two decimals, or the code', async () => {
    const { formatPrice } = await import('./render-list.js')
    expect(formatPrice(12.5, 'USD')).toBe('$12.50')
    expect(formatPrice(3, 'CHF')).toBe('3.00 CHF')
    expect(formatPrice(1200, 'JPY')).toBe('¥1200')
  })
})
