import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['aggregator/**/*.test.ts', 'sdk/**/*.test.ts', 'edge-worker/**/*.test.ts', 'scripts/**/*.test.ts', 'demo-shop/**/*.test.ts'],
    environment: 'node',
    // Generous: the slowest model tests train for about 7 s on tfjs's CPU backend here, and the
    // two workers share two cores; a hang still fails, speed is measured in `npm run bench`.
    testTimeout: 60_000,
  },
})
