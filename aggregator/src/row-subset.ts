/**
 * Row-subset rounds (docs/MODEL.md, "Row-subset rounds"): a round may train only some rows of
 * one tensor (the item table), chosen by the server from the round number alone, so that a model
 * larger than one upload still trains within the upload budget. The device trains its whole
 * model, then sends the delta of the announced rows and of every other tensor; the server sums
 * those vectors as it sums whole ones, and puts the mean back in place before its step.
 *
 * Which rows: the first `hotRows` rows (padding and the most popular items: items are indexed by
 * descending popularity) in every round, and a window of `windowRows` of the remaining rows
 * that moves on by its own length each round, wrapping, so that every row is trained once every
 * ⌈(rows − hotRows) / windowRows⌉ rounds. Nothing about a shopper decides which rows travel:
 * the payload's shape and contents say nothing more than a whole update would.
 */
import type { ModelLayout } from './protocol/tensor-layout.js'
import { layoutSize, tensorSize } from './protocol/tensor-layout.js'

/** What a round announces when it trains a subset of one tensor's rows. */
export interface RowSubsetRound {
  /** Name of the layout's tensor whose rows are subset (the item table, `item_emb`). */
  readonly tensor: string
  /** Rows 0 … hotRows − 1, in every round. */
  readonly hotRows: number
  /** Offset of the window among the other rows: 0 … rows − hotRows − 1. */
  readonly windowStart: number
  /** Rows hotRows + ((windowStart + j) mod (rows − hotRows)) for j < windowRows, in that order. */
  readonly windowRows: number
}

function tensorAt(layout: ModelLayout, s: RowSubsetRound): { index: number; rows: number; width: number; offset: number } {
  let offset = 0
  for (let index = 0; index < layout.length; index++) {
    const t = layout[index]!
    if (t.name === s.tensor) {
      if (t.shape.length < 1) throw new RangeError(`tensor ${s.tensor} has no rows`)
      return { index, rows: t.shape[0]!, width: tensorSize(t.shape.slice(1)), offset }
    }
    offset += tensorSize(t.shape)
  }
  throw new RangeError(`the model has no tensor ${s.tensor} for the round's row subset`)
}

/**
 * Why the subset does not fit the layout, or null when it does.
 * @example rowSubsetError(layout, { tensor: 'item_emb', hotRows: 10, windowStart: 0, windowRows: 5 }) // null
 */
export function rowSubsetError(layout: ModelLayout, s: RowSubsetRound): string | null {
  const t = layout.find((x) => x.name === s.tensor)
  if (!t || t.shape.length < 1) return `the model has no tensor ${s.tensor}`
  const rows = t.shape[0]!
  const int = (x: number) => Number.isInteger(x) && x >= 0
  if (!int(s.hotRows) || !int(s.windowRows) || !int(s.windowStart)) return 'rowSubset hotRows, windowStart and windowRows must be integers ≥ 0'
  if (s.hotRows + s.windowRows > rows) return `rowSubset takes ${s.hotRows} + ${s.windowRows} rows of ${s.tensor}, which has ${rows}`
  if (s.hotRows + s.windowRows === 0) return 'rowSubset takes no rows'
  if (s.windowRows > 0 && s.windowStart >= rows - s.hotRows) return `rowSubset windowStart ${s.windowStart} must be below ${rows - s.hotRows}`
  return null
}

/** The subset's tensor (index, rows, row width, offset in the flat vector). @throws RangeError when the subset does not fit */
export function checkedRowSubset(layout: ModelLayout, s: RowSubsetRound): ReturnType<typeof tensorAt> {
  const error = rowSubsetError(layout, s)
  if (error) throw new RangeError(error)
  return tensorAt(layout, s)
}

/**
 * The subset's rows of the tensor, in the order their values travel.
 * @example subsetRows(10, { tensor: 't', hotRows: 2, windowStart: 7, windowRows: 3 }) // Int32Array [0, 1, 9, 2, 3]
 */
export function subsetRows(rows: number, s: RowSubsetRound): Int32Array {
  const out = new Int32Array(s.hotRows + s.windowRows)
  for (let i = 0; i < s.hotRows; i++) out[i] = i
  const cold = rows - s.hotRows
  for (let j = 0; j < s.windowRows; j++) out[s.hotRows + j] = s.hotRows + ((s.windowStart + j) % cold)
  return out
}

/**
 * The layout of what a round's update carries: the model's, with the subset tensor cut to the
 * subset's rows (the model's own layout when the round trains every row).
 * @example uploadLayout([{ name: 'item_emb', shape: [100, 8] }], { tensor: 'item_emb', hotRows: 10, windowStart: 0, windowRows: 20 }) // [{ name: 'item_emb', shape: [30, 8] }]
 */
export function uploadLayout(layout: ModelLayout, s: RowSubsetRound | null | undefined): ModelLayout {
  if (!s) return layout
  const { index } = checkedRowSubset(layout, s)
  return layout.map((t, i) => (i === index ? { name: t.name, shape: [s.hotRows + s.windowRows, ...t.shape.slice(1)] } : t))
}

/**
 * The part of a whole-model vector that a round's update carries (a copy; the vector itself
 * when the round trains every row).
 * @example gatherSubset(delta, layout, round.rowSubset) // what the device clips, noises and sends
 */
export function gatherSubset(full: Float32Array, layout: ModelLayout, s: RowSubsetRound | null | undefined): Float32Array {
  if (!s) return full
  const t = checkedRowSubset(layout, s)
  if (full.length !== layoutSize(layout)) throw new RangeError(`vector has ${full.length} values, the model ${layoutSize(layout)}`)
  const out = new Float32Array(full.length - (t.rows - s.hotRows - s.windowRows) * t.width)
  out.set(full.subarray(0, t.offset))
  const rows = subsetRows(t.rows, s)
  for (let k = 0; k < rows.length; k++) {
    const from = t.offset + rows[k]! * t.width
    out.set(full.subarray(from, from + t.width), t.offset + k * t.width)
  }
  const rest = t.offset + t.rows * t.width
  out.set(full.subarray(rest), t.offset + rows.length * t.width)
  return out
}

/**
 * A round's summed (or averaged) update put back in place in a whole-model vector: zeros for
 * the rows the round did not train. The vector itself when the round trains every row.
 * @example serverStep(global, scatterSubset(acc.sum, layout, round.rowSubset), settings, state)
 */
export function scatterSubset(part: Float64Array, layout: ModelLayout, s: RowSubsetRound | null | undefined): Float64Array {
  if (!s) return part
  const t = checkedRowSubset(layout, s)
  const size = layoutSize(layout)
  if (part.length !== layoutSize(uploadLayout(layout, s))) throw new RangeError(`update has ${part.length} values, the round's rows of the model ${layoutSize(uploadLayout(layout, s))}`)
  const out = new Float64Array(size)
  out.set(part.subarray(0, t.offset))
  const rows = subsetRows(t.rows, s)
  for (let k = 0; k < rows.length; k++) {
    const from = t.offset + k * t.width
    out.set(part.subarray(from, from + t.width), t.offset + rows[k]! * t.width)
  }
  out.set(part.subarray(t.offset + rows.length * t.width), t.offset + t.rows * t.width)
  return out
}
