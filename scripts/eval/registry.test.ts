/** The model registry: contract names, plugins, helpful errors. */

import { describe, expect, it } from 'vitest'
import { createModel, knownModels, registerModel, UnknownModelError } from './registry.js'

describe('registry', () => {
  it('lists the baselines in contract order', () => {
    expect(knownModels().slice(0, 5)).toEqual(['pop', 'spop', 'item-knn', 'session-knn', 'assoc-rules'])
    expect(createModel('pop').name).toBe('pop')
  })

  it('explains unknown and not-yet-registered names', () => {
    expect(() => createModel('nope')).toThrow(UnknownModelError)
    expect(() => createModel('nope')).toThrow(/Known models: pop, spop/)
  })

  it('accepts plugins and refuses bad names', () => {
    registerModel('zz-test', () => ({ name: 'zz-test', fit: async () => ({ modelBytes: 0 }), score: () => {} }))
    expect(knownModels()).toContain('zz-test')
    expect(() => registerModel('Bad Name', () => createModel('pop'))).toThrow(/lower-case/)
  })
})
