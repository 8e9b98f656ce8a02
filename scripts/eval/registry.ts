/** Model registry of the evaluation harness: names (a contract) mapped to factories. */

import { AssociationRules } from './baselines/assoc-rules.js'
import { ItemKnn } from './baselines/item-knn.js'
import { Pop } from './baselines/pop.js'
import { SessionKnn } from './baselines/session-knn.js'
import { SPop } from './baselines/spop.js'
import type { ModelFactory, Recommender } from './recommender.js'

/**
 * Every model name the results contract knows, in report order. The neural ones are registered
 * by another module (see {@link registerModel}); until then asking for them is an error.
 */
export const CONTRACT_MODEL_NAMES = [
  'pop',
  'spop',
  'item-knn',
  'session-knn',
  'assoc-rules',
  'gru',
  'fedrec-central',
  'fedrec-federated',
  'fedrec-dp-eps1',
  'fedrec-dp-eps4',
  'fedrec-dp-eps8',
] as const
export type ContractModelName = (typeof CONTRACT_MODEL_NAMES)[number]

interface Entry {
  readonly factory: ModelFactory
  readonly description: string
}

const models = new Map<string, Entry>()

/**
 * No model is registered under this name; the message lists the ones that are.
 * @example
 * try { createModel('nope') } catch (e) { (e as UnknownModelError).known } // ['pop', …]
 */
export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError'
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    const pending = (CONTRACT_MODEL_NAMES as readonly string[]).includes(requested)
    super(
      `unknown model '${requested}'. Known models: ${known.join(', ')}.` +
        (pending
          ? ` '${requested}' is a contract name whose implementation is not registered yet: ` +
            'load the module that calls registerModel() for it (--plugin FILE, or add it to ' +
            'scripts/eval/plugins.ts).'
          : ''),
    )
  }
}

/**
 * Registers (or replaces) a model. Call it at the top level of a module, then load that module
 * with `--plugin path/to/module.ts` or list it in `scripts/eval/plugins.ts`.
 * @example
 * registerModel('gru', () => new GruRecommender(), 'GRU4Rec-style GRU, tfjs')
 */
export function registerModel(name: string, factory: ModelFactory, description = ''): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    throw new RangeError(`model name '${name}' must be lower-case letters, digits, '.', '_' or '-'`)
  }
  models.set(name, { factory, description })
}

/**
 * Registered model names: contract names first (in contract order), then any others.
 * @example knownModels() // ['pop', 'spop', 'item-knn', 'session-knn', 'assoc-rules']
 */
export function knownModels(): string[] {
  const contract = (CONTRACT_MODEL_NAMES as readonly string[]).filter((n) => models.has(n))
  const others = [...models.keys()].filter((n) => !contract.includes(n)).sort()
  return [...contract, ...others]
}

/**
 * One-line description of a registered model ('' if none was given).
 * @example describeModel('pop')
 */
export function describeModel(name: string): string {
  return models.get(name)?.description ?? ''
}

/**
 * A fresh, untrained instance of the named model; throws {@link UnknownModelError} otherwise.
 * @example const m = createModel('item-knn')
 */
export function createModel(name: string): Recommender {
  const entry = models.get(name)
  if (entry === undefined) throw new UnknownModelError(name, knownModels())
  return entry.factory()
}

// The non-neural baselines ship with the harness (Ludewig et al. 2021, session-rec).
registerModel('pop', () => new Pop(), 'most frequent next items in training')
registerModel('spop', () => new SPop(), 'items of the current session by count, then POP')
registerModel('item-knn', () => new ItemKnn(), 'cosine co-occurrence with the last item')
registerModel('session-knn', () => new SessionKnn(), 'V-SKNN, tuned on a validation split')
registerModel('assoc-rules', () => new AssociationRules(), 'co-occurrence counts with the last item')
