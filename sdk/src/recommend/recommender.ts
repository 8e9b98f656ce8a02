/**
 * The recommendation lists and their explanations, as pure functions over the global model's
 * catalogue data (vocabulary, categories, popularity, item embeddings), optional model scores,
 * and the device's own history. No tfjs: the worker passes in whatever the model scored.
 */
import { itemTableVectors } from '../model/item-vectors.js'
import type { SessionModelConfig } from '../model/config.js'
import { buildProfile } from '../profile/preference-profile.js'
import type { StoredEvent } from '../core/ga4.js'
import { recentlyViewed, summarize, type History } from './history.js'
import type { Explanation, RecommendQuery, ScoredItem } from './types.js'

/** The parts of a global model the lists read. Rows are 1-based (row 0 is padding). */
export interface CatalogModel {
  /** Item id of row i + 1 at index i. */
  readonly vocab: readonly string[]
  readonly rowOf: ReadonlyMap<string, number>
  /** Category index per vocab entry (0: unknown). */
  readonly categories?: readonly number[]
  /** Published popularity per vocab entry. */
  readonly popularity?: readonly number[]
  /** Item embedding table, rows × dim, row-major. */
  readonly embeddings: Float32Array
  readonly dim: number
}

export interface RecommendInput {
  readonly model: CatalogModel
  readonly events: readonly StoredEvent[]
  /**
   * Model scores per row for the query's context: the shopper's recent items (`for_you`) or the
   * anchor items (`bought_together`). Null: no model scores (new shopper, or not needed).
   */
  readonly scores: ArrayLike<number> | null
}

/** Cosine below which a history item is not named as a reason (random 32-d vectors reach ~0.2). */
const MIN_REASON_SIMILARITY = 0.3
/** How many of the shopper's items an explanation names at most. */
const MAX_REASON_ITEMS = 2
/** How many recent items are compared with a recommendation. */
const REASON_CONTEXT = 10

function cosine(emb: Float32Array, dim: number, a: number, b: number): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let k = 0; k < dim; k++) {
    const x = emb[a * dim + k]!
    const y = emb[b * dim + k]!
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}

function names(list: readonly { item_id: string; item_name?: string }[]): string {
  const n = list.map((x) => x.item_name ?? x.item_id)
  return n.length <= 1 ? (n[0] ?? '') : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`
}

/** Explains one recommended row by the shopper's own recent items and categories. */
class Explainer {
  private readonly context: { row: number; item_id: string }[]
  private readonly catNames = new Map<number, string>()
  private readonly catWeight: Map<string, number>

  constructor(
    private readonly model: CatalogModel,
    private readonly history: History,
    events: readonly StoredEvent[],
  ) {
    this.context = history.recent
      .slice(0, REASON_CONTEXT)
      .map((item_id) => ({ item_id, row: model.rowOf.get(item_id) ?? 0 }))
      .filter((c) => c.row > 0)
    // Category names come from the shop's own item data in the history: the model has indices only.
    for (const [id, d] of history.details) {
      const row = model.rowOf.get(id)
      const c = row === undefined ? undefined : model.categories?.[row - 1]
      if (c && d.item_category) this.catNames.set(c, d.item_category)
    }
    this.catWeight = new Map(buildProfile(events).categories.map((a) => [a.key, a.weight]))
  }

  get hasHistory(): boolean {
    return this.context.length > 0
  }

  item(item_id: string, weight: number): Explanation['items'][number] {
    const d = this.history.details.get(item_id)
    const interaction = this.history.interaction.get(item_id)
    return { item_id, ...(d?.item_name ? { item_name: d.item_name } : {}), ...(interaction ? { interaction } : {}), weight }
  }

  categoryOf(row: number): string | undefined {
    const c = this.model.categories?.[row - 1]
    return c ? this.catNames.get(c) : undefined
  }

  /** Which of the shopper's recent items and categories are closest to `row`. */
  personal(row: number): Explanation {
    const { embeddings, dim } = this.model
    const items = this.context
      .filter((c) => c.row !== row)
      .map((c) => ({ c, sim: cosine(embeddings, dim, row, c.row) }))
      .filter((x) => x.sim >= MIN_REASON_SIMILARITY)
      .sort((a, b) => b.sim - a.sim)
      .slice(0, MAX_REASON_ITEMS)
      .map((x) => this.item(x.c.item_id, Math.min(1, x.sim)))
    const cat = this.categoryOf(row)
    const categories = cat && this.catWeight.has(cat) ? [{ category: cat, weight: this.catWeight.get(cat)! }] : []
    const verb = items.length > 0 ? (items.every((i) => i.interaction === 'bought') ? 'bought' : 'viewed') : ''
    const text = items.length > 0 ? `Because you ${verb} ${names(items)}` : categories.length > 0 ? `Because you like ${categories[0]!.category}` : 'Picked for you from your recent browsing'
    return { kind: 'history', items, categories, text }
  }

  anchored(kind: 'related' | 'bought_together', anchors: readonly string[], row: number): Explanation {
    const items = anchors.map((id) => this.item(id, anchors.length > 1 && this.model.rowOf.has(id) ? Math.max(0, cosine(this.model.embeddings, this.model.dim, row, this.model.rowOf.get(id)!)) : 1))
    const cat = this.categoryOf(row)
    const categories = cat && this.catWeight.has(cat) ? [{ category: cat, weight: this.catWeight.get(cat)! }] : []
    const what = names(items.slice(0, MAX_REASON_ITEMS))
    return { kind, items, categories, text: kind === 'related' ? `Similar to ${what}` : `Often bought with ${what}` }
  }
}

const POPULAR: Explanation = { kind: 'popular', items: [], categories: [], text: 'Popular with shoppers' }
const TRENDING: Explanation = { kind: 'trending', items: [], categories: [], text: 'Trending in the shop' }

/**
 * One recommendation list. Page-supplied candidates the model does not know keep their page order
 * after the scored ones, with a null score.
 * @example recommend({ model, events, scores }, { type: 'related', itemIds: ['SKU-1'], limit: 6 })
 */
export function recommend(input: RecommendInput, q: RecommendQuery): ScoredItem[] {
  const { model, events } = input
  const history = summarize(events)
  const ex = new Explainer(model, history, events)
  const exclude = new Set(q.exclude ?? [])
  const anchors = (q.itemIds ?? []).filter((id) => model.rowOf.has(id))
  const anchorRows = anchors.map((id) => model.rowOf.get(id)!)
  if (q.type === 'related' || q.type === 'bought_together') for (const id of q.itemIds ?? []) exclude.add(id)
  const pool = (q.among ?? model.vocab).filter((id) => !exclude.has(id))
  const pop = (row: number): number => model.popularity?.[row - 1] ?? 0
  const catOf = (row: number): number => model.categories?.[row - 1] ?? 0
  const anchorCats = new Set(anchorRows.map(catOf).filter((c) => c > 0))

  // Which score and which explanation each list gives a known row.
  let score: (row: number) => number
  let explain: (row: number) => Explanation
  switch (q.type) {
    case 'for_you':
      if (input.scores && ex.hasHistory) {
        const s = input.scores
        score = (row) => s[row]!
        explain = (row) => ex.personal(row)
      } else {
        score = pop
        explain = () => POPULAR
      }
      break
    case 'related':
      if (anchorRows.length === 0) {
        score = pop
        explain = () => POPULAR
        break
      }
      // Nearest items in the model's embedding space, the anchor's own category first: the
      // embeddings are learned from what shoppers view in sequence, so neighbours are substitutes.
      score = (row) => Math.max(...anchorRows.map((a) => cosine(model.embeddings, model.dim, row, a))) + (anchorCats.has(catOf(row)) ? 1 : 0)
      explain = (row) => ex.anchored('related', anchors, row)
      break
    case 'bought_together': {
      if (anchorRows.length === 0) {
        score = pop
        explain = () => POPULAR
        break
      }
      // What the model predicts next after the anchor items, other categories first (complements
      // rather than substitutes), and items the shopper bought alongside the anchor before.
      const s = input.scores
      const boughtWith = coPurchased(events, new Set(anchors))
      score = (row) => (s ? s[row]! : pop(row)) + (anchorCats.has(catOf(row)) ? 0 : 1) + (boughtWith.has(model.vocab[row - 1]!) ? 2 : 0)
      explain = (row) => ex.anchored('bought_together', anchors, row)
      break
    }
    case 'trending':
      score = pop
      explain = () => TRENDING
      for (const id of history.purchased) exclude.add(id)
      break
    case 'recently_viewed':
      return recentlyViewed(history, q)
  }
  const known: { id: string; row: number; s: number; i: number }[] = []
  const unknown: string[] = []
  pool.forEach((id, i) => {
    if (exclude.has(id)) return
    const row = model.rowOf.get(id)
    if (row === undefined) unknown.push(id)
    else known.push({ id, row, s: score(row), i })
  })
  known.sort((a, b) => b.s - a.s || a.i - b.i)
  const out: ScoredItem[] = known.slice(0, q.limit).map((k) => ({ item_id: k.id, score: k.s, explanation: explain(k.row) }))
  for (const id of unknown) {
    if (out.length >= q.limit) break
    out.push({ item_id: id, score: null, explanation: POPULAR })
  }
  return out
}

/** Items the shopper bought in the same order as one of the anchors. */
function coPurchased(events: readonly StoredEvent[], anchors: ReadonlySet<string>): Set<string> {
  const out = new Set<string>()
  for (const e of events) {
    if (e.name !== 'purchase') continue
    const ids = (e.params.items ?? []).map((i) => i.item_id)
    if (ids.some((id) => anchors.has(id))) for (const id of ids) if (!anchors.has(id)) out.add(id)
  }
  return out
}

/**
 * Reads every item's embedding ([numItems + 1, dim], row = model index) out of a flat weight
 * vector by the model's layout; with the model's config, a compact table's shared rows are
 * summed per item (sdk/src/model/config.ts).
 * @example itemEmbeddings(bundle.description.layout, weights, parseModelConfig(bundle.description.config))
 */
export function itemEmbeddings(
  layout: readonly { readonly name: string; readonly shape: readonly number[] }[],
  weights: Float32Array,
  cfg?: SessionModelConfig,
): { embeddings: Float32Array; dim: number } {
  let off = 0
  for (const t of layout) {
    const n = t.shape.reduce((a, b) => a * b, 1)
    if (t.name === 'item_emb') {
      const table = weights.subarray(off, off + n)
      return { embeddings: cfg ? itemTableVectors(cfg, table) : table, dim: t.shape[1] ?? 0 }
    }
    off += n
  }
  throw new Error('the model has no item_emb tensor')
}
