/** Wrangler entry: the Hono app as the fetch handler, and the Durable Object class. */
import { createApp } from './app.js'
export { RoundCoordinator } from './round-coordinator.js'
export { RateLimiter } from './rate-limiter.js'
export { SecAggCohort } from './secagg-cohort.js'

export default createApp()
