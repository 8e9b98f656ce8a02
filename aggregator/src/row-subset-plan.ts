/**
 * How an edge sizes its row-subset rounds (row-subset.ts): as many rows of the item table as fit
 * the upload budget at the round's encoding, half of them the most popular rows, and a window
 * over the rest that moves on each round.
 */
import type { ModelLayout } from './protocol/tensor-layout.js'
import { updateBytes } from './protocol/update-codec.js'
import type { UpdateEncoding } from './protocol/update-encoding.js'
import { checkedRowSubset, type RowSubsetRound } from './row-subset.js'
import { UPLOAD_BUDGET_BYTES } from './upload-budget.js'

/** How a deployment sizes its row subsets. */
export interface RowSubsetPlan {
  readonly tensor: string
  readonly hotRows: number
  readonly windowRows: number
}

/**
 * The subset plan that fits a model's update into the upload budget at `encoding`, or null when
 * the whole update already fits. The subset takes as many rows of `tensor` as fit, `hotShare`
 * of them the most popular ones (the first rows) and the rest the moving window.
 * @example rowSubsetPlan(layout, 'int4') // { tensor: 'item_emb', hotRows: 3700, windowRows: 3701 } for a 24,001 × 32 table
 */
export function rowSubsetPlan(
  layout: ModelLayout,
  encoding: UpdateEncoding,
  opts: { readonly tensor?: string; readonly hotShare?: number; readonly budget?: number } = {},
): RowSubsetPlan | null {
  const tensor = opts.tensor ?? 'item_emb'
  const budget = opts.budget ?? UPLOAD_BUDGET_BYTES
  const hotShare = opts.hotShare ?? ROW_SUBSET_DEFAULTS.hotShare
  if (!(hotShare >= 0 && hotShare <= 1)) throw new RangeError(`hotShare must be in [0, 1], got ${hotShare}`)
  const shapes = (rows: number) => layout.map((t) => (t.name === tensor ? [rows, ...t.shape.slice(1)] : t.shape))
  const t = layout.find((x) => x.name === tensor)
  if (!t) throw new RangeError(`the model has no tensor ${tensor}`)
  const rows = t.shape[0]!
  if (updateBytes(shapes(rows), encoding) <= budget) return null
  // Bytes grow with rows: the largest count that fits, by bisection.
  let lo = 0
  let hi = rows
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (updateBytes(shapes(mid), encoding) <= budget) lo = mid
    else hi = mid
  }
  if (lo < 1) throw new RangeError(`no row of ${tensor} fits an update of ${budget} bytes at ${encoding}`)
  const hotRows = Math.floor(lo * hotShare)
  return { tensor, hotRows, windowRows: lo - hotRows }
}

/** Half the subset is the most popular rows, half the moving window: 0.25 and 0.75 gave the same held-out curve on full Diginetica (docs/results/validation/federated.md). */
export const ROW_SUBSET_DEFAULTS = { hotShare: 0.5 } as const

/**
 * The subset of the `round`-th round (0-based count of rounds run under the plan): the window
 * starts where the previous round's ended.
 * @example rowSubsetForRound(layout, plan, 0).windowStart // 0
 */
export function rowSubsetForRound(layout: ModelLayout, plan: RowSubsetPlan, round: number): RowSubsetRound {
  const t = layout.find((x) => x.name === plan.tensor)
  if (!t) throw new RangeError(`the model has no tensor ${plan.tensor}`)
  const cold = t.shape[0]! - plan.hotRows
  const windowStart = cold > 0 ? Number((BigInt(round) * BigInt(plan.windowRows)) % BigInt(cold)) : 0
  const s = { tensor: plan.tensor, hotRows: plan.hotRows, windowStart, windowRows: plan.windowRows }
  checkedRowSubset(layout, s)
  return s
}
