/** Recommendation kinds, requests and the explanation attached to every recommended item. */

/** What a list recommends (Algolia Recommend's models, plus the device's own history). */
export const RecommendType = {
  ForYou: 'for_you',
  Related: 'related',
  BoughtTogether: 'bought_together',
  Trending: 'trending',
  RecentlyViewed: 'recently_viewed',
} as const
export type RecommendType = (typeof RecommendType)[keyof typeof RecommendType]

/** Why an item is shown. Computed on the device from the shopper's own history. */
export interface Explanation {
  /**
   * `history`: the shopper's own recent items or categories drove it; `popular`: a new shopper
   * sees what is popular; `related` / `bought_together`: the anchor item drove it; `trending`;
   * `recently_viewed`: the shopper viewed it.
   */
  readonly kind: 'history' | 'popular' | 'related' | 'bought_together' | 'trending' | 'recently_viewed'
  /** The shopper's own items that drove it, strongest first; `weight` is a similarity in [0, 1]. */
  readonly items: readonly { readonly item_id: string; readonly item_name?: string; readonly interaction?: string; readonly weight: number }[]
  /** The shopper's categories that drove it; `weight` is the category's share of their interest. */
  readonly categories: readonly { readonly category: string; readonly weight: number }[]
  /** One sentence for the shopper, e.g. "Because you viewed Oppo F19 and Realme XT". */
  readonly text: string
}

/** The worker's answer for one item (the page attaches the shop's item data). */
export interface ScoredItem {
  readonly item_id: string
  /** Higher is better; null for a page-supplied candidate the model does not know. */
  readonly score: number | null
  readonly explanation: Explanation
}

/** What the page asks the worker for. */
export interface RecommendQuery {
  readonly type: RecommendType
  /** Anchor items: `related` to them, `bought_together` with them. */
  readonly itemIds?: readonly string[]
  /** Recommend only among these ids (the page's candidates), in this fallback order. */
  readonly among?: readonly string[]
  /** Ids never to recommend. */
  readonly exclude?: readonly string[]
  readonly limit: number
}
