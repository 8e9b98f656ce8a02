import { describe, expect, it } from 'vitest'
import { benchWranglerConfig, edgeRole } from './edge-load.js'

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

describe('edgeRole', () => {
  it('tells the worker’s workerd from the dev proxy on the public port and from wrangler', () => {
    const proxy = 'workerd serve --binary --experimental --socket-addr=entry=127.0.0.1:33035 --external-addr=loopback=127.0.0.1:33921 --control-fd=3 -'
    const worker = 'workerd serve --binary --experimental --socket-addr=entry=127.0.0.1:0 --external-addr=loopback=127.0.0.1:44967 --control-fd=3 -'
    expect(edgeRole('workerd', proxy, 33035)).toBe('dev-proxy')
    expect(edgeRole('workerd', worker, 33035)).toBe('worker')
    expect(edgeRole('workerd', proxy, 3303)).toBe('worker')
    expect(edgeRole('node', '/usr/bin/node wrangler-dist/cli.js dev', 33035)).toBe('wrangler')
    expect(edgeRole('esbuild', 'esbuild --service=0.27.3 --ping', 33035)).toBe('other')
  })
})
