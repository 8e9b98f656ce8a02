// Browser and cross-package tests: real chromium (playwright-core) against a real `wrangler dev`.
// Run after `npm run build`; `npm test` does both.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One file at a time: each starts workerd and chromium, and these machines have 2 cores.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
