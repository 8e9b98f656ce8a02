/** Draws a product image as SVG from its category, a colour derived from its SKU, and its title. */
import type { Product } from './catalog-data.js'

const ICONS: Record<string, string> = {
  beauty: '💄', fragrances: '🌸', furniture: '🛋️', groceries: '🛒', 'home-decoration': '🏺',
  'kitchen-accessories': '🍳', laptops: '💻', 'mens-shirts': '👔', 'mens-shoes': '👞', 'mens-watches': '⌚',
  'mobile-accessories': '🎧', motorcycle: '🏍️', 'skin-care': '🧴', smartphones: '📱', 'sports-accessories': '⚽',
  sunglasses: '🕶️', tablets: '📲', tops: '👚', vehicle: '🚗', 'womens-bags': '👜', 'womens-dresses': '👗',
  'womens-jewellery': '💍', 'womens-shoes': '👠', 'womens-watches': '⌚',
}

function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Splits a title into at most three lines of about 18 characters for the label. */
function lines(title: string): string[] {
  const out: string[] = []
  let cur = ''
  for (const w of title.split(/\s+/)) {
    if ((cur + ' ' + w).trim().length > 18 && cur) {
      out.push(cur)
      cur = w
    } else cur = (cur + ' ' + w).trim()
  }
  if (cur) out.push(cur)
  return out.slice(0, 3)
}

/**
 * A 400×400 SVG: gradient in the product's own hue, the category's emoji, the title.
 * @example productSvg(product) // '<svg xmlns=...'
 */
export function productSvg(p: Product): string {
  const h = hash(p.sku)
  const hue = h % 360
  const hue2 = (hue + 40 + (h >> 9) % 60) % 360
  const icon = ICONS[p.category] ?? '🛍️'
  const label = lines(p.title)
    .map((l, i) => `<text x="200" y="${300 + i * 30}" font-size="24" text-anchor="middle" fill="#fff" font-family="system-ui, sans-serif" font-weight="600">${esc(l)}</text>`)
    .join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-label="${esc(p.title)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 65% 55%)"/><stop offset="1" stop-color="hsl(${hue2} 70% 35%)"/></linearGradient></defs>
<rect width="400" height="400" rx="24" fill="url(#g)"/>
<circle cx="200" cy="150" r="95" fill="rgba(255,255,255,.18)"/>
<text x="200" y="185" font-size="110" text-anchor="middle">${icon}</text>
${label}
</svg>`
}
