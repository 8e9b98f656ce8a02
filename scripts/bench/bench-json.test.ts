import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CONTRACT_KEYS, contractProblems, getKey, setKey, writeBenchJson, type JsonObject } from './bench-json.js'

describe('setKey / getKey', () => {
  it('builds nested objects from dotted keys', () => {
    const o: JsonObject = {}
    setKey(o, 'train_ms.webgl', 120)
    setKey(o, 'train_ms.node', 80)
    setKey(o, 'rank_ms.p50', 2)
    expect(o).toEqual({ train_ms: { webgl: 120, node: 80 }, rank_ms: { p50: 2 } })
    expect(getKey(o, 'train_ms.node')).toBe(80)
    expect(getKey(o, 'train_ms.webgpu')).toBeUndefined()
    expect(getKey(o, 'rank_ms.p50.x')).toBeUndefined()
  })

  it('refuses to overwrite a number with an object, and empty path parts', () => {
    const o: JsonObject = { a: 1 }
    expect(() => setKey(o, 'a.b', 2)).toThrow(/already holds 1/)
    expect(() => setKey(o, 'a..b', 2)).toThrow(/bad key/)
  })
})

describe('contractProblems', () => {
  it('lists missing and non-numeric contract keys, and passes a complete result', () => {
    const o: JsonObject = {}
    expect(contractProblems(o)).toContain('bundles.loader_gz is missing')
    for (const k of CONTRACT_KEYS) setKey(o, k, 1)
    expect(contractProblems(o)).toEqual(['train_ms has no browser backend'])
    setKey(o, 'train_ms.wasm', 3)
    expect(contractProblems(o)).toEqual([])
    setKey(o, 'rank_ms.p95', Number.NaN)
    setKey(o, 'train_ms.cpu', 'slow')
    // JSON.stringify writes NaN as null, which is what bench.json would hold.
    expect(contractProblems(o)).toEqual(['rank_ms.p95 is null, not a number', 'train_ms.cpu is "slow", not a number'])
  })
})

describe('writeBenchJson', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrec-bench-json-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes parseable JSON with a trailing newline and leaves no temporary file', () => {
    const path = join(dir, 'bench.json')
    writeBenchJson(path, { bundles: { loader_gz: 383 } })
    const text = readFileSync(path, 'utf8')
    expect(text.endsWith('}\n')).toBe(true)
    expect(JSON.parse(text)).toEqual({ bundles: { loader_gz: 383 } })
    expect(readdirSync(dir)).toEqual(['bench.json'])
  })
})
