import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['aggregator/**/*.test.ts', 'sdk/**/*.test.ts', 'edge-worker/**/*.test.ts', 'scripts/**/*.test.ts', 'demo-shop/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
})
