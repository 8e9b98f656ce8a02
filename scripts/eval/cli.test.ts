/** CLI parsing, and the whole CLI end to end on the tiny fixture data set. */

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { defaultPlotPath, main, parseArgs, UsageError } from './cli.js'
import { metaPath, type RunMeta } from './harness.js'
import type { ResultsJson } from './run.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = join(here, 'fixtures', 'tiny')
const root = join(here, '..', '..')

describe('parseArgs', () => {
  it('reads every flag, with --flag value and --flag=value', () => {
    const a = parseArgs([
      '--data', 'd', '--models', 'pop, item-knn,', '--quick', '--out=r.json', '--seed', '7',
      '--param', 'session-knn.k=50', '--param', 'pop.count=all', '--plugin', 'p.ts',
    ])
    expect(a).toEqual({
      data: 'd',
      models: ['pop', 'item-knn'],
      quick: true,
      out: 'r.json',
      plot: 'r.svg',
      seed: 7,
      params: { 'session-knn': { k: '50' }, pop: { count: 'all' } },
      plugins: ['p.ts'],
    })
  })

  it('has defaults and --help', () => {
    expect(parseArgs(['--data', 'd'])).toEqual({ data: 'd', models: [], quick: false, seed: 1, params: {}, plugins: [] })
    expect(parseArgs(['--data', 'd', '--plot', 'p.svg'])).toMatchObject({ plot: 'p.svg' })
    expect(parseArgs(['--data', 'd', '--breakdown'])).toMatchObject({ breakdown: true })
    expect(parseArgs(['-h'])).toBe('help')
    expect(defaultPlotPath('x/results')).toBe('x/results.svg')
  })

  it.each([
    [[], /--data DIR is required/],
    [['--data'], /--data needs a value/],
    [['--data', '--quick'], /--data needs a value/],
    [['--data', 'd', '--bogus'], /unknown argument '--bogus'/],
    [['--data', 'd', '--seed', '1.5'], /not an integer/],
    [['--data', 'd', '--param', 'k=5'], /expected model\.key=value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError)
    expect(() => parseArgs(argv)).toThrow(message)
  })
})

const run = promisify(execFile)
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const cli = join(here, 'cli.ts')

describe('npm run eval (end to end)', () => {
  it('prints the table and writes the JSON contract and the plot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-eval-'))
    const out = join(dir, 'results.json')
    const models = 'pop,spop,item-knn,session-knn,assoc-rules'
    const { stdout } = await run(tsx, [cli, '--data', fixture, '--models', models, '--out', out], { cwd: root })
    expect(stdout).toMatch(/^## tiny\n/)
    expect(stdout).toMatch(/\| model \| P@20 \| MRR@20 \|/)
    const json = JSON.parse(await readFile(out, 'utf8')) as ResultsJson
    expect(json.dataset).toBe('tiny')
    expect(json.models.map((m) => m.name)).toEqual(models.split(','))
    for (const m of json.models) {
      expect(Object.keys(m)).toEqual([
        'name', 'p20', 'mrr20', 'ndcg20', 'hr10', 'ndcg10', 'train_seconds', 'model_bytes',
        'upload_bytes', 'epsilon', 'delta', 'rounds',
      ])
      expect(m.epsilon).toBeNull()
      expect(m.upload_bytes).toBeNull()
      expect(m.p20).toBeGreaterThanOrEqual(m.hr10)
      expect(m.p20).toBeLessThanOrEqual(100)
    }
    // The fixture's sessions mostly step to the next item of an aisle: neighbours find it.
    const sknn = json.models.find((m) => m.name === 'session-knn')!
    expect(sknn.p20).toBeGreaterThan(json.models[0]!.p20)
    expect(await readFile(join(dir, 'results.svg'), 'utf8')).toMatch(/^<svg /)
  }, 20_000)

  it('--breakdown prints the groups and writes them to the .meta.json, the JSON contract unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-eval-'))
    const out = join(dir, 'results.json')
    const { stdout } = await run(tsx, [cli, '--data', fixture, '--models', 'spop,session-knn', '--breakdown', '--out', out], { cwd: root })
    expect(stdout).toMatch(/\| model \(P@20 \/ MRR@20\) \| in the prefix \([\d.]+ %\) \| new, unseen in training/)
    expect(stdout).toMatch(/\n\| session-knn \| [\d.]+ \/ [\d.]+ \|/)
    const json = JSON.parse(await readFile(out, 'utf8')) as ResultsJson
    expect(Object.keys(json.models[0]!)).not.toContain('breakdown')
    const meta = JSON.parse(await readFile(metaPath(out), 'utf8')) as RunMeta
    for (const m of json.models) {
      const groups = meta.models[m.name]!.breakdown!
      const cases = groups.reduce((a, g) => a + g.cases, 0)
      // The groups partition the cases: weighted by their sizes they give the model's P@20.
      expect(groups.reduce((a, g) => a + g.p20 * g.cases, 0) / cases).toBeCloseTo(m.p20, 2)
      // The fixture's case whose next item (25) never occurs in training is a miss for every model.
      expect(groups.find((g) => g.group === 'new, unseen in training')).toMatchObject({ cases: 1, p20: 0 })
    }
  }, 20_000)

})

/** Runs `main` in-process, capturing what it writes to stderr. */
async function mainCapture(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = ''
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  try {
    return { code: await main(argv), stderr }
  } finally {
    spy.mockRestore()
    out.mockRestore()
  }
}

describe('main', () => {
  it('exits 1 with the file and line of a malformed input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-eval-'))
    await writeFile(join(dir, 'train_sessions.txt'), '1 2 3\n2 3\n')
    await writeFile(join(dir, 'test.tsv'), '1 2\t3\n1 2 3\n')
    const r = await mainCapture(['--data', dir, '--models', 'pop'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`DataFormatError: ${join(dir, 'test.tsv')}:2: no TAB between the prefix and the next item`)
    const missing = await mainCapture(['--data', join(dir, 'nope'), '--models', 'pop'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/cannot read .*nope.*train_sessions\.txt and test\.tsv/)
  })

  it('exits 2 on usage errors, naming the known models on a bad name', async () => {
    const bad = await mainCapture(['--data', fixture, '--models', 'pop,nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown model 'nope'\. Known models: pop, spop/)
    const flag = await mainCapture(['--data', fixture, '--bogus'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/unknown argument '--bogus'/)
    const param = await mainCapture(['--data', fixture, '--models', 'pop', '--param', 'pop.count=most'])
    expect(param.code).toBe(2)
    expect(param.stderr).toMatch(/count=most must be one of next, all/)
    const help = await mainCapture(['--help'])
    expect(help.code).toBe(0)
  })
})
