/** `--param name.key=value` parsing for models: typed values, defaults, unknown keys refused. */

/**
 * A `--param` value or key a model does not accept.
 * @example try { intParam({ k: 'x' }, 'k', 1, 1) } catch (e) { e instanceof ParamError } // true
 */
export class ParamError extends RangeError {
  override readonly name = 'ParamError'
}

/**
 * Parses an integer parameter from `--param`, with a default and a lower bound.
 * @example intParam({ k: '50' }, 'k', 100, 1) // 50
 */
export function intParam(
  params: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  min: number,
): number {
  const raw = params[key]
  if (raw === undefined) return fallback
  const v = Number(raw)
  if (!Number.isInteger(v) || v < min) {
    throw new ParamError(`parameter ${key}=${raw} must be an integer ≥ ${min}`)
  }
  return v
}

/**
 * Parses a number parameter from `--param`, with a default and an inclusive range.
 * @example floatParam({ lr: '0.01' }, 'lr', 0.001, 0, 1) // 0.01
 */
export function floatParam(
  params: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
  min: number,
  max = Infinity,
): number {
  const raw = params[key]
  if (raw === undefined) return fallback
  const v = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new ParamError(`parameter ${key}=${raw} must be a number in [${min}, ${max}]`)
  }
  return v
}

/**
 * Parses a choice parameter from `--param`.
 * @example choiceParam({ count: 'all' }, 'count', ['next', 'all'], 'next') // 'all'
 */
export function choiceParam<T extends string>(
  params: Readonly<Record<string, string>>,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = params[key]
  if (raw === undefined) return fallback
  const hit = choices.find((c) => c === raw)
  if (hit === undefined) {
    throw new ParamError(`parameter ${key}=${raw} must be one of ${choices.join(', ')}`)
  }
  return hit
}

/**
 * Rejects `--param` keys a model does not know, so a typo does not silently change nothing.
 * @example checkParams('pop', { count: 'all' }, ['count'])
 */
export function checkParams(
  model: string,
  params: Readonly<Record<string, string>>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      throw new ParamError(
        `${model} has no parameter '${key}' (known: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
      )
    }
  }
}
