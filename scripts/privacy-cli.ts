/**
 * `npm run -s privacy -- epsilon|noise …`: the privacy accountant on the command line, so a
 * privacy team can check any (q, z, rounds, δ) → ε claim. The answer is always the last line.
 */
import { parseArgs } from 'node:util'
import {
  Conversion,
  DEFAULT_ORDERS,
  EXTENDED_ORDERS,
  NOISE_SEARCH_DEFAULTS,
  UnreachableTargetError,
  computeEpsilon,
  computeNoiseMultiplier,
} from '../aggregator/src/index.js'
import type { EpsilonQuery, NoiseQuery } from '../aggregator/src/index.js'
import { isEntryPoint } from './entry-point.js'

export const USAGE = `Usage:
  npm run -s privacy -- epsilon --q Q --z Z --rounds T --delta D [options]
      prints the best Rényi order, then ε on the last line
  npm run -s privacy -- noise --q Q --rounds T --delta D --epsilon E [options]
      prints ε and order at the answer, then the smallest noise multiplier z on the last line

Flags:
  --q Q            Poisson sampling rate per round, in [0, 1] (a fraction like 256/60000 is fine)
  --z Z            noise multiplier: noise std on the sum / L2 clip norm (epsilon only)
  --rounds T       number of rounds composed, an integer >= 0
  --delta D        delta of the (epsilon, delta) guarantee, in (0, 1)
  --epsilon E      target epsilon > 0 (noise only)
Options:
  --conversion improved|classic   RDP -> (epsilon, delta) conversion (default improved, as
                                  dp_accounting; classic = rdp + log(1/delta)/(alpha - 1))
  --orders integer|extended       Renyi orders: 2..256, 320..1024 (default) or also 1.1..10.9
  --tolerance R                   relative tolerance of the noise search (default 1e-6)
  -h, --help                      this text

Exit status: 0 on success, 2 on a missing or bad flag, 1 when the target epsilon is out of reach.
See docs/PRIVACY-ACCOUNTING.md for the formulas.`

/** A missing, unknown or malformed flag: the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** What the command line asks for. */
export type PrivacyCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'epsilon'; readonly query: EpsilonQuery }
  | { readonly kind: 'noise'; readonly query: NoiseQuery }

const OrderSets = { integer: DEFAULT_ORDERS, extended: EXTENDED_ORDERS } as const
const ORDER_SET_NAMES: readonly (keyof typeof OrderSets)[] = ['integer', 'extended']

/**
 * Parses a number flag: a decimal (1e-5, 0.01) or a fraction of two decimals (256/60000).
 * @example parseNumber('--q', '256/60000') // 0.004266…
 */
export function parseNumber(flag: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`missing ${flag}`)
  const parts = text.trim().split('/')
  const values = parts.map((p) => (p.trim() === '' ? NaN : Number(p)))
  const [num, den = 1] = values
  const value = values.length <= 2 && num !== undefined ? num / den : NaN
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag} must be a number, got '${text}'`)
  }
  return value
}

function parseChoice<T extends string>(
  flag: string,
  text: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (text === undefined) return undefined
  const hit = choices.find((c) => c === text)
  if (hit === undefined) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got '${text}'`)
  }
  return hit
}

/**
 * Turns argv (without node and the script) into a command, or throws a {@link UsageError}.
 * Domain checks (q in [0, 1], …) are left to the accountant, which throws RangeErrors.
 * @example
 * parseCommand(['epsilon', '--q', '0.01', '--z', '1.1', '--rounds', '100', '--delta', '1e-5'])
 */
export function parseCommand(argv: readonly string[]): PrivacyCommand {
  const { values, positionals } = parseFlags(argv)
  if (values.help === true) return { kind: 'help' }
  const [kind, ...extra] = positionals
  if (kind !== 'epsilon' && kind !== 'noise') {
    throw new UsageError(
      kind === undefined ? 'missing command: epsilon or noise' : `unknown command '${kind}'`,
    )
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`)
  const misplaced = kind === 'epsilon' ? ['epsilon', 'tolerance'] : ['z']
  for (const flag of misplaced) {
    if (flag in values) throw new UsageError(`--${flag} does not apply to '${kind}'`)
  }
  const common = {
    q: parseNumber('--q', values.q),
    rounds: parseNumber('--rounds', values.rounds),
    delta: parseNumber('--delta', values.delta),
    conversion:
      parseChoice('--conversion', values.conversion, Object.values(Conversion)) ??
      Conversion.Improved,
    orders: OrderSets[parseChoice('--orders', values.orders, ORDER_SET_NAMES) ?? 'integer'],
  }
  if (kind === 'epsilon') {
    return { kind, query: { ...common, noiseMultiplier: parseNumber('--z', values.z) } }
  }
  const tolerance =
    values.tolerance === undefined
      ? NOISE_SEARCH_DEFAULTS.tolerance
      : parseNumber('--tolerance', values.tolerance)
  const epsilon = parseNumber('--epsilon', values.epsilon)
  return { kind, query: { ...common, epsilon, tolerance } }
}

/** node:util's parseArgs over our flags; its errors (unknown flag, no value) become UsageErrors. */
function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        q: { type: 'string' },
        z: { type: 'string' },
        rounds: { type: 'string' },
        delta: { type: 'string' },
        epsilon: { type: 'string' },
        conversion: { type: 'string' },
        orders: { type: 'string' },
        tolerance: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), { cause: e })
  }
}

/**
 * Runs a parsed command and returns the lines to print; the answer is the last one.
 * @example
 * runCommand({ kind: 'epsilon', query: { q: 1, noiseMultiplier: 1, rounds: 1, delta: 1e-5 } })
 */
export function runCommand(command: PrivacyCommand): string[] {
  switch (command.kind) {
    case 'help':
      return [USAGE]
    case 'epsilon': {
      const { epsilon, order } = computeEpsilon(command.query)
      return [`best order: ${order}`, String(epsilon)]
    }
    case 'noise': {
      const { query } = command
      const z = computeNoiseMultiplier(query)
      const { epsilon, order } = computeEpsilon({ ...query, noiseMultiplier: z })
      return [`epsilon at this z: ${epsilon} (best order ${order})`, String(z)]
    }
  }
}

/** Output sinks, replaceable in tests. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/**
 * The whole CLI: parse, run, print; returns the exit status (0 ok, 2 usage, 1 unreachable).
 * @example process.exitCode = main(process.argv.slice(2))
 */
export function main(argv: readonly string[], io: CliIo = defaultIo): number {
  try {
    io.out(runCommand(parseCommand(argv)).join('\n') + '\n')
    return 0
  } catch (e) {
    if (e instanceof UnreachableTargetError) {
      io.err(`privacy: ${e.message}\n`)
      return 1
    }
    if (e instanceof UsageError || e instanceof RangeError) {
      io.err(`privacy: ${e.message}\n(run with --help for usage)\n`)
      return 2
    }
    throw e
  }
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
