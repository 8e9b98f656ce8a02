import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['aggregator/**/*.test.ts', 'sdk/**/*.test.ts', 'edge-worker/**/*.test.ts', 'scripts/**/*.test.ts', 'demo-shop/**/*.test.ts'],
    environment: 'node',
    // Generous: the model tests train for tens of seconds on tfjs's CPU backend, and the two
    // workers share two cores; a hang still fails, speed is measured in `npm run bench`.
    testTimeout: 120_000,
  },
})
