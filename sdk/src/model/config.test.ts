import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { encodeModel, layoutSize, modelEncodingFor } from '../../../aggregator/src/index.js'
import { initWeights } from './init-weights.js'
import { catalogueConfig, COMPACT_DIM, COMPACT_SCALE, COSINE_ABOVE, COMPACT_OWN, COMPACT_SHARED, isCompact, itemCategoryIndex, itemSlots, itemTableRows, modelLayout, parseModelConfig, PRIVATE_DIM, slotsPerItem } from './config.js'

describe('compact item table', () => {
  const cfg = { numItems: 1000, dim: 4, maxLen: 3, numCategories: 0, ownRows: 100, hashRows: 50 }

  it('gives popular items their own row and every other item two distinct shared rows', () => {
    const slots = itemSlots(cfg)
    expect(slotsPerItem(cfg)).toBe(2)
    expect(itemTableRows(cfg)).toBe(151)
    expect(slots.length).toBe(2 * 1001)
    expect([slots[0], slots[1]]).toEqual([0, 0])
    for (let i = 1; i <= 100; i++) expect([slots[2 * i], slots[2 * i + 1]]).toEqual([i, 0])
    const used = new Set<number>()
    for (let i = 101; i <= 1000; i++) {
      const [a, b] = [slots[2 * i]!, slots[2 * i + 1]!]
      expect(a).not.toBe(b)
      for (const r of [a, b]) {
        expect(r).toBeGreaterThanOrEqual(101)
        expect(r).toBeLessThan(151)
        used.add(r)
      }
    }
    // The hashes spread the tail over every shared row, and pairs rarely repeat.
    expect(used.size).toBe(50)
    const pairs = new Set<string>()
    for (let i = 101; i <= 1000; i++) pairs.add(`${Math.min(slots[2 * i]!, slots[2 * i + 1]!)}:${Math.max(slots[2 * i]!, slots[2 * i + 1]!)}`)
    expect(pairs.size).toBeGreaterThan(0.9 * 900 * (1 - 900 / (2 * 1225)))
  })

  it('is deterministic and sizes the layout by rows, not items', () => {
    expect(Array.from(itemSlots(cfg))).toEqual(Array.from(itemSlots({ ...cfg })))
    expect(modelLayout(cfg)[0]).toEqual({ name: 'item_emb', shape: [151, 4] })
    const full = { numItems: 1000, dim: 4, maxLen: 3, numCategories: 0 }
    expect(slotsPerItem(full)).toBe(1)
    expect(Array.from(itemSlots(full).subarray(0, 4))).toEqual([0, 1, 2, 3])
    expect(modelLayout(full)[0]).toEqual({ name: 'item_emb', shape: [1001, 4] })
  })

  it('ships a row per item up to 45,000 items and a bounded table beyond', () => {
    expect(catalogueConfig(194, 24).ownRows).toBeUndefined()
    const big = catalogueConfig(43_097, 0)
    const bigger = catalogueConfig(430_970, 0)
    expect(isCompact(big)).toBe(false)
    expect(layoutSize(modelLayout(big))).toBe(1_383_626) // 43,098 × 32 table rows + 4,480 encoder weights + 10 repeat weights
    expect(isCompact(bigger)).toBe(true)
    expect(itemTableRows(bigger)).toBe(1 + COMPACT_OWN + COMPACT_SHARED)
    expect(catalogueConfig(COSINE_ABOVE, 0).ownRows).toBeUndefined()
    // Between the two thresholds: cosine logits, a row per item.
    const mid = catalogueConfig(COSINE_ABOVE + 1, 0)
    expect(isCompact(mid)).toBe(false)
    expect(itemTableRows(mid)).toBe(COSINE_ABOVE + 2)
    expect(isCompact(catalogueConfig(COMPACT_OWN + COMPACT_SHARED, 0))).toBe(false)
    expect(isCompact(catalogueConfig(COMPACT_OWN + COMPACT_SHARED + 1, 0))).toBe(true)
    // No catalogue outgrows the largest table: a row per item of 45,000 items.
    for (const n of [COSINE_ABOVE, 43_097, COMPACT_OWN + COMPACT_SHARED, COMPACT_OWN + COMPACT_SHARED + 1, 10 ** 6]) {
      expect(itemTableRows(catalogueConfig(n, 0))).toBeLessThanOrEqual(1 + COMPACT_OWN + COMPACT_SHARED)
    }
    // Cosine logits and repeat scores above COSINE_ABOVE items (measured from 200 items up), dot products for the smallest shops.
    expect(big.scale).toBeGreaterThan(0)
    expect(mid.scale).toBeGreaterThan(0)
    expect(big.repeat).toBe(true)
    expect(catalogueConfig(194, 24).scale).toBeUndefined()
    expect(catalogueConfig(194, 24).repeat).toBeUndefined()
    expect(catalogueConfig(COSINE_ABOVE, 0).scale).toBeUndefined()
    expect(catalogueConfig(5_000, 0)).toMatchObject({ scale: COMPACT_SCALE, repeat: true })
    // The demo store keeps dot products; a shop of a thousand items, measured on real data, gets the cosine model.
    expect(COSINE_ABOVE).toBeGreaterThanOrEqual(194)
    expect(catalogueConfig(1_000, 0)).toMatchObject({ scale: COMPACT_SCALE, repeat: true })
    expect(catalogueConfig(1_000, 0, { private: true }).dim).toBe(PRIVATE_DIM)
  })

  it('narrows the rows of a cosine-scored catalogue whose model trains under DP, and only those', () => {
    expect(PRIVATE_DIM).toBeLessThan(COMPACT_DIM)
    for (const n of [COSINE_ABOVE + 1, 5_000, 43_097, 10 ** 6]) {
      expect(catalogueConfig(n, 0, { private: true })).toEqual({ ...catalogueConfig(n, 0), dim: PRIVATE_DIM })
    }
    expect(catalogueConfig(194, 24, { private: true })).toEqual(catalogueConfig(194, 24))
    expect(catalogueConfig(43_097, 0, { private: false })).toEqual(catalogueConfig(43_097, 0))
  })

  it('fits the 1 MB download, ids included, as the edge publishes it (int4 tables past 1M parameters)', () => {
    // Diginetica-like numeric ids; trained weights gzip no worse than initial ones (bench: model section).
    for (const n of [43_097, COMPACT_OWN + COMPACT_SHARED, 60_000]) {
      for (const dp of [false, true]) {
        const cfg = catalogueConfig(n, 0, { private: dp })
        const layout = modelLayout(cfg)
        const description = { layout, config: { ...cfg }, vocab: Array.from({ length: n }, (_, i) => String(i + 1)) }
        const bytes = gzipSync(encodeModel({ version: 1, description, weights: initWeights(cfg, 1) }, { encoding: modelEncodingFor(layout) }), { level: 9 }).length
        expect(bytes, `${n} items${dp ? ', private' : ''}`).toBeLessThanOrEqual(1_000_000)
      }
    }
  })

  it('reads a compact config back and refuses a broken one', () => {
    expect(parseModelConfig({ ...cfg })).toEqual(cfg)
    expect(parseModelConfig({ numItems: 3, dim: 2, maxLen: 2, numCategories: 0 })).toEqual({ numItems: 3, dim: 2, maxLen: 2, numCategories: 0 })
    expect(() => parseModelConfig({ ...cfg, hashRows: 1 })).toThrow(/hashRows/)
    expect(() => parseModelConfig({ ...cfg, hashRows: undefined })).toThrow(/hashRows/)
    expect(() => parseModelConfig({ ...cfg, ownRows: -1 })).toThrow(/ownRows/)
    expect(parseModelConfig({ ...cfg, scale: 10 })).toEqual({ ...cfg, scale: 10 })
    expect(parseModelConfig({ ...cfg, repeat: true, selfAttention: 1 })).toEqual({ ...cfg, repeat: true, selfAttention: 1 })
    expect(() => parseModelConfig({ ...cfg, repeat: 1 })).toThrow(/repeat must be true or false/)
    for (const scale of [-1, Number.NaN, Infinity, '10']) expect(() => parseModelConfig({ ...cfg, scale })).toThrow(/scale must be a finite number/)
  })
})

describe('itemCategoryIndex', () => {
  it('keeps categories in range and maps the rest, and missing ones, to unknown (0)', () => {
    const cfg = { numItems: 4, dim: 2, maxLen: 2, numCategories: 2 }
    expect(Array.from(itemCategoryIndex(cfg, [0, 2, 3, -1]))).toEqual([0, 2, 0, 0, 0])
    expect(Array.from(itemCategoryIndex(cfg, [0, 1, 2, 1, 2, 1]))).toEqual([0, 1, 2, 1, 2])
    expect(Array.from(itemCategoryIndex(cfg))).toEqual([0, 0, 0, 0, 0])
  })
})
