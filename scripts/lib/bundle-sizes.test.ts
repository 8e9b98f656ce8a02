import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkBudgets, importsOf, measureBundles } from './bundle-sizes.mjs'

describe('importsOf', () => {
  it('finds static, side-effect and dynamic relative imports in minified output', () => {
    const code = 'import{a as b}from"./chunks/x.js";import"./y.js";export{c}from\'../z.js\';const m=import("./lazy.js"),n=import( "./lazy.js");import"node:fs"'
    expect(importsOf(code)).toEqual({ static: ['./chunks/x.js', './y.js', '../z.js'], dynamic: ['./lazy.js'] })
  })
})

describe('measureBundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrec-sizes-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('counts the worker entry, its static chunks and every lazy backend chunk once each', () => {
    mkdirSync(join(dir, 'chunks'))
    mkdirSync(join(dir, 'wasm'))
    writeFileSync(join(dir, 'fedrec-loader.js'), 'console.log(1)')
    writeFileSync(join(dir, 'fedrec.js'), 'import"./chunks/core-a.js";')
    writeFileSync(join(dir, 'chunks/core-a.js'), 'export const a=1')
    writeFileSync(join(dir, 'fedrec-worker.js'), 'import{s}from"./chunks/shared.js";import("./chunks/gl.js");import("./chunks/cpu.js")')
    writeFileSync(join(dir, 'chunks/shared.js'), 'export const s=1')
    writeFileSync(join(dir, 'chunks/gl.js'), 'import"../fedrec-worker.js";import"./common.js";register("webgl","webgl")')
    writeFileSync(join(dir, 'chunks/cpu.js'), 'import"./common.js";register("cpu")')
    writeFileSync(join(dir, 'chunks/common.js'), 'export const k=2')
    writeFileSync(join(dir, 'wasm/a.wasm'), new Uint8Array(100))
    const s = measureBundles(dir)
    expect(s.core.files.sort()).toEqual(['chunks/core-a.js', 'fedrec.js'])
    expect(s.workerEntry.files.sort()).toEqual(['chunks/shared.js', 'fedrec-worker.js'])
    expect(Object.keys(s.workerBackends).sort()).toEqual(['cpu', 'webgl'])
    expect(s.workerBackends['webgl']!.files.sort()).toEqual(['chunks/common.js', 'chunks/gl.js'])
    expect(s.worker.files.sort()).toEqual(['chunks/common.js', 'chunks/cpu.js', 'chunks/gl.js', 'chunks/shared.js', 'fedrec-worker.js'])
    // common.js is shared by both backends and counted once in the total.
    expect(s.worker.raw).toBe(s.workerEntry.raw + s.workerBackends['webgl']!.raw + 'import"./common.js";register("cpu")'.length)
    expect(s.wasmBinaries.raw).toBe(100)
    expect(s.loader.gz).toBeGreaterThan(0)
  })

  it('names the build step when a bundle is missing', () => {
    expect(() => measureBundles(join(dir, 'nowhere'))).toThrow(/run `node scripts\/build.mjs`/)
  })
})

describe('checkBudgets', () => {
  it('reports each bundle over its gzipped budget, and nothing when all fit', () => {
    const budgets = { loader: 10, core: 20, worker: 30 }
    expect(checkBudgets({ loader: { gz: 10 }, core: { gz: 20 }, worker: { gz: 30 } }, budgets)).toEqual([])
    expect(checkBudgets({ loader: { gz: 11 }, core: { gz: 20 }, worker: { gz: 31 } }, budgets)).toEqual(['loader: 11 B gzipped > budget 10 B', 'worker: 31 B gzipped > budget 30 B'])
  })
})
