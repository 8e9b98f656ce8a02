import { describe, expect, it } from 'vitest'
import { benchWranglerConfig } from './edge-load.js'

describe('benchWranglerConfig', () => {
  const toml = 'name = "x"\nmain = "edge-worker/src/index.ts"\n\n[assets]\ndirectory = "./dist/public"\nbinding = "ASSETS"\n[vars]\nA = "1"\n'

  it('points main and the assets at absolute paths and keeps everything else', () => {
    const out = benchWranglerConfig(toml, '/repo/edge-worker/src/index.ts', '/tmp/b/public')
    expect(out).toBe('name = "x"\nmain = "/repo/edge-worker/src/index.ts"\n\n[assets]\ndirectory = "/tmp/b/public"\nbinding = "ASSETS"\n[vars]\nA = "1"\n')
  })

  it('refuses a config it cannot redirect', () => {
    expect(() => benchWranglerConfig('name = "x"\n', '/m', '/a')).toThrow(/no main or \[assets\] directory/)
  })
})
