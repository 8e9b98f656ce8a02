import { describe, expect, it } from 'vitest'
import { Conversion, DEFAULT_ORDERS, EXTENDED_ORDERS, NOISE_SEARCH_DEFAULTS } from '../aggregator/src/index.js'
import { UsageError, main, parseCommand, parseNumber } from './privacy-cli.js'

const eps = ['epsilon', '--q', '0.01', '--z', '1.1', '--rounds', '100', '--delta', '1e-5']
const mnist = ['--q', '256/60000', '--rounds', '14062', '--delta', '1e-5', '--conversion', 'classic']
const noise = ['noise', '--q', '0.01', '--rounds', '100', '--delta', '1e-5', '--epsilon', '2']

/** Runs main() and captures what it prints. */
function run(argv: string[]): { code: number; out: string; err: string } {
  let out = ''
  let err = ''
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

describe('parseCommand', () => {
  it('reads the epsilon command with its defaults', () => {
    expect(parseCommand(eps)).toEqual({
      kind: 'epsilon',
      query: {
        q: 0.01,
        noiseMultiplier: 1.1,
        rounds: 100,
        delta: 1e-5,
        conversion: Conversion.Improved,
        orders: DEFAULT_ORDERS,
      },
    })
  })

  it('reads the noise command, options and flags in any order', () => {
    const cmd = parseCommand(['--orders', 'extended', ...noise, '--conversion=classic', '--tolerance', '1e-3'])
    expect(cmd).toEqual({
      kind: 'noise',
      query: {
        q: 0.01,
        rounds: 100,
        delta: 1e-5,
        epsilon: 2,
        conversion: Conversion.Classic,
        orders: EXTENDED_ORDERS,
        tolerance: 1e-3,
      },
    })
    expect(parseCommand(noise)).toMatchObject({ query: { tolerance: NOISE_SEARCH_DEFAULTS.tolerance } })
  })

  it('accepts fractions and exponents as numbers', () => {
    expect(parseNumber('--q', '256/60000')).toBe(256 / 60000)
    expect(parseNumber('--delta', '1e-5')).toBe(1e-5)
    for (const bad of ['', 'abc', '1/', '/2', '1/2/3', 'Infinity', '1/0']) {
      expect(() => parseNumber('--q', bad)).toThrow(UsageError)
    }
  })

  it('rejects missing, unknown and misplaced flags with a UsageError', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['frob'], /unknown command 'frob'/],
      [eps.filter((_, i) => i !== 3 && i !== 4), /missing --z/],
      [[...eps, '--bogus', '1'], /Unknown option '--bogus'/],
      [[...eps, '--epsilon', '1'], /--epsilon does not apply to 'epsilon'/],
      [[...noise, '--z', '1'], /--z does not apply to 'noise'/],
      [[...eps, '--conversion', 'fancy'], /--conversion must be one of improved, classic/],
      [[...eps, '--orders', 'all'], /--orders must be one of integer, extended/],
      [[...eps, 'extra'], /unexpected argument 'extra'/],
      [['epsilon', '--q'], /argument missing/],
    ]
    for (const [argv, message] of cases) expect(() => parseCommand(argv), argv.join(' ')).toThrow(message)
  })

  it('knows --help and -h', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' })
    expect(parseCommand(['noise', '-h'])).toEqual({ kind: 'help' })
  })
})

describe('main', () => {
  it('prints ε on the last line', () => {
    const { code, out } = run(['epsilon', ...mnist, '--z', '1.1'])
    expect(code).toBe(0)
    const last = Number(out.trim().split('\n').at(-1))
    expect(last).toBeCloseTo(3.01, 2)
  })

  it('prints z on the last line', () => {
    const { code, out } = run(['noise', ...mnist, '--epsilon', '3.01'])
    expect(code).toBe(0)
    expect(Number(out.trim().split('\n').at(-1))).toBeCloseTo(1.1, 2)
  })

  it('exits 2 with a message on stderr for bad input, 1 for an unreachable target', () => {
    expect(run(['epsilon', '--q', '2', '--z', '1', '--rounds', '1', '--delta', '1e-5'])).toMatchObject({
      code: 2,
      out: '',
      err: expect.stringMatching(/sampling rate q must be in \[0, 1\], got 2/),
    })
    expect(run(['noise'])).toMatchObject({ code: 2, err: expect.stringMatching(/missing --q/) })
    const unreachable = run([...noise.slice(0, -1), '0.001', '--conversion', 'classic'])
    expect(unreachable).toMatchObject({ code: 1, out: '', err: expect.stringMatching(/out of reach/) })
  })
})
