/**
 * Draws a product image as SVG from its category (a vector pictogram, no emoji font needed),
 * its colour (a colour word in the title, else a hue derived from the SKU) and its title.
 */
import { escapeXml as esc } from './escape-xml.js'
import type { Product } from './catalog-data.js'

/** Pictograms drawn in a 100×100 box: white shapes over the product's colour. */
const SHAPES = {
  bottle: '<rect x="34" y="34" width="32" height="58" rx="8"/><rect x="42" y="20" width="16" height="16" rx="2"/><rect x="39" y="8" width="22" height="12" rx="3" fill-opacity=".7"/>',
  sofa: '<rect x="14" y="40" width="72" height="30" rx="8"/><rect x="6" y="50" width="16" height="30" rx="6"/><rect x="78" y="50" width="16" height="30" rx="6"/><rect x="16" y="78" width="8" height="12"/><rect x="76" y="78" width="8" height="12"/>',
  apple: '<circle cx="40" cy="58" r="26"/><circle cx="60" cy="58" r="26"/><path d="M50 34 C52 22 58 16 66 14" stroke="currentColor" stroke-width="5" fill="none"/><ellipse cx="63" cy="24" rx="10" ry="5" fill-opacity=".7"/>',
  vase: '<path d="M38 10 H62 V22 C80 34 82 64 70 86 H30 C18 64 20 34 38 22 Z"/>',
  pan: '<circle cx="40" cy="56" r="30"/><rect x="66" y="50" width="32" height="10" rx="5"/><circle cx="40" cy="56" r="20" fill-opacity=".6"/>',
  laptop: '<rect x="18" y="18" width="64" height="44" rx="4"/><rect x="24" y="24" width="52" height="32" fill-opacity=".5"/><path d="M8 70 H92 L86 80 H14 Z"/>',
  shirt: '<path d="M36 12 L50 22 L64 12 L90 26 L80 44 L70 38 V90 H30 V38 L20 44 L10 26 Z"/>',
  dress: '<path d="M40 8 H60 L58 30 L84 92 H16 L42 30 Z"/><rect x="40" y="30" width="20" height="6" fill-opacity=".6"/>',
  shoe: '<path d="M8 52 C8 40 14 34 20 34 C26 44 38 46 48 42 L60 52 L88 60 C94 62 94 76 90 78 H8 Z"/><rect x="8" y="78" width="84" height="8" rx="3" fill-opacity=".7"/>',
  watch: '<rect x="38" y="4" width="24" height="92" rx="6" fill-opacity=".6"/><circle cx="50" cy="50" r="26"/><path d="M50 34 V50 H62" stroke-width="5" stroke-linecap="round" fill="none" stroke="rgba(0,0,0,.35)"/>',
  headphones: '<path d="M16 60 V48 A34 34 0 0 1 84 48 V60" stroke="currentColor" stroke-width="8" fill="none"/><rect x="8" y="56" width="20" height="32" rx="6"/><rect x="72" y="56" width="20" height="32" rx="6"/>',
  motorcycle: '<circle cx="22" cy="70" r="16"/><circle cx="78" cy="70" r="16"/><path d="M22 70 L44 44 H66 L78 70 M56 44 L50 30 H38" stroke="currentColor" stroke-width="7" fill="none" stroke-linejoin="round"/><circle cx="22" cy="70" r="6" fill-opacity=".4"/><circle cx="78" cy="70" r="6" fill-opacity=".4"/>',
  car: '<path d="M6 66 V54 L20 50 L32 32 H66 L80 50 L94 54 V66 Z"/><path d="M36 38 H62 L72 50 H28 Z" fill-opacity=".5"/><circle cx="26" cy="68" r="11"/><circle cx="74" cy="68" r="11"/>',
  phone: '<rect x="28" y="6" width="44" height="88" rx="9"/><rect x="33" y="15" width="34" height="64" rx="2" fill-opacity=".5"/><circle cx="50" cy="86" r="3.5" fill-opacity=".5"/>',
  tablet: '<rect x="14" y="10" width="72" height="80" rx="8"/><rect x="21" y="17" width="58" height="64" rx="2" fill-opacity=".5"/>',
  ball: '<circle cx="50" cy="50" r="40"/><path d="M14 36 C34 46 66 46 86 36 M14 64 C34 54 66 54 86 64 M50 10 V90" stroke="rgba(0,0,0,.25)" stroke-width="4" fill="none"/>',
  sunglasses: '<path d="M6 38 H94" stroke="currentColor" stroke-width="6"/><path d="M10 38 H44 V52 A14 14 0 0 1 10 52 Z"/><path d="M56 38 H90 V52 A14 14 0 0 1 56 52 Z"/>',
  bag: '<path d="M34 36 V28 A16 16 0 0 1 66 28 V36" stroke="currentColor" stroke-width="6" fill="none"/><path d="M16 36 H84 L90 92 H10 Z"/>',
  ring: '<circle cx="50" cy="62" r="26" stroke="currentColor" stroke-width="9" fill="none"/><path d="M38 22 L50 8 L62 22 L50 36 Z"/>',
  tag: '<path d="M10 50 L46 14 H86 V54 L50 90 Z"/><circle cx="72" cy="28" r="6" fill-opacity=".3"/>',
} as const
type Shape = keyof typeof SHAPES

const CATEGORY_SHAPE: Readonly<Record<string, Shape>> = {
  beauty: 'bottle', fragrances: 'bottle', 'skin-care': 'bottle', furniture: 'sofa', groceries: 'apple',
  'home-decoration': 'vase', 'kitchen-accessories': 'pan', laptops: 'laptop', 'mens-shirts': 'shirt', tops: 'shirt',
  'womens-dresses': 'dress', 'mens-shoes': 'shoe', 'womens-shoes': 'shoe', 'mens-watches': 'watch',
  'womens-watches': 'watch', 'mobile-accessories': 'headphones', motorcycle: 'motorcycle', vehicle: 'car',
  smartphones: 'phone', tablets: 'tablet', 'sports-accessories': 'ball', sunglasses: 'sunglasses',
  'womens-bags': 'bag', 'womens-jewellery': 'ring',
}

/** Hue and saturation (HSL) of colour words that appear in product titles. */
const COLOURS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [0, 70, 50], pink: [335, 70, 62], orange: [28, 85, 52], yellow: [46, 85, 50], gold: [42, 70, 48],
  green: [140, 50, 40], blue: [215, 70, 50], purple: [275, 50, 50], brown: [25, 45, 35], beige: [35, 35, 62],
  black: [220, 10, 18], grey: [220, 8, 50], gray: [220, 8, 50], silver: [210, 10, 62], white: [210, 15, 78],
}

function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
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
 * The product's colour as [hue, saturation %, lightness %]: the first colour word of its title,
 * or a hue derived from its SKU so that every product still looks different.
 * @example productColour({ title: 'Red Lipstick', sku: 'X' } as Product) // [0, 70, 50]
 */
export function productColour(p: Pick<Product, 'title' | 'sku'>): readonly [number, number, number] {
  for (const w of p.title.toLowerCase().split(/[^a-z]+/)) {
    const c = COLOURS[w]
    if (c) return c
  }
  return [hash(p.sku) % 360, 60, 50]
}

/** The pictogram drawn for a category ('tag' for one the store does not know). */
export function categoryShape(category: string): Shape {
  return CATEGORY_SHAPE[category] ?? 'tag'
}

/**
 * A 400×400 SVG: a gradient in the product's colour, its category's pictogram, its title.
 * @example productSvg(product) // '<svg xmlns=...'
 */
export function productSvg(p: Product): string {
  const [hue, sat, light] = productColour(p)
  const hue2 = (hue + 25 + (hash(p.sku) >> 9) % 30) % 360
  const ink = light > 70 ? '#1d2330' : '#fff'
  const label = lines(p.title)
    .map((l, i) => `<text x="200" y="${318 + i * 30}" font-size="24" text-anchor="middle" fill="${ink}" font-family="DejaVu Sans, system-ui, sans-serif" font-weight="600">${esc(l)}</text>`)
    .join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-label="${esc(p.title)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} ${sat}% ${Math.min(light + 12, 88)}%)"/><stop offset="1" stop-color="hsl(${hue2} ${sat}% ${Math.max(light - 15, 10)}%)"/></linearGradient></defs>
<rect width="400" height="400" rx="24" fill="url(#g)"/>
<circle cx="200" cy="150" r="112" fill="rgba(255,255,255,.14)"/>
<g transform="translate(110 60) scale(1.8)" color="${ink}" fill="${ink}" fill-opacity=".92">${SHAPES[categoryShape(p.category)]}</g>
${label}
</svg>`
}
