/** Helpers for the harness's unit tests: quiet fit options and one-prefix scoring. */

import type { TrainData } from './data.js'
import type { FitOptions, Recommender } from './recommender.js'

/**
 * Fit options that log nothing, with the given `--param` values.
 * @example await model.fit(train, fitOptions({ k: '10' }))
 */
export function fitOptions(params: Record<string, string> = {}, quick = false): FitOptions {
  return { quick, seed: 1, params, log: () => {}, progress: () => {} }
}

/**
 * The model's scores after one prefix, as a plain array indexed by item id (slot 0 unused).
 * @example scoresAfter(model, train, [1, 2])[3]
 */
export async function scoresAfter(model: Recommender, data: TrainData, prefix: readonly number[]): Promise<number[]> {
  const out = new Float32Array(data.maxId + 1)
  const p = Int32Array.from(prefix)
  if (model.scoreBatch !== undefined) await model.scoreBatch([p], out)
  else model.score(p, out)
  return Array.from(out)
}
