/** Model layout: the ordered list of named tensor shapes that a flat weight vector is cut into. */

/** One tensor of the model: a name and its shape. */
export interface TensorSpec {
  readonly name: string
  readonly shape: readonly number[]
}

/** The ordered tensors of a model; weights travel as one flat vector in this order. */
export type ModelLayout = readonly TensorSpec[]

/**
 * Number of elements of a tensor shape.
 * @example tensorSize([3, 4]) // 12
 */
export function tensorSize(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/**
 * Number of elements of all tensors of a layout.
 * @example layoutSize([{ name: 'w', shape: [2, 2] }, { name: 'b', shape: [2] }]) // 6
 */
export function layoutSize(layout: ModelLayout): number {
  let n = 0
  for (const t of layout) n += tensorSize(t.shape)
  return n
}

/** True when `shapes` lists exactly the shapes of `layout`, in order. */
export function shapesMatch(shapes: readonly (readonly number[])[], layout: ModelLayout): boolean {
  if (shapes.length !== layout.length) return false
  return shapes.every((s, i) => {
    const want = layout[i]!.shape
    return s.length === want.length && s.every((d, j) => d === want[j])
  })
}
