/** The HTTP API (Hono): thin routes over the round coordinator Durable Object. */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { PayloadRejectedError } from '../../aggregator/src/index.js'
import type { Env } from './env.js'
import { roundSettings } from './env.js'
import { guardSettings } from './guard-settings.js'
import { originPolicy } from './origin-policy.js'
import { rateLimit } from './rate-limiter.js'
import { checkRequest, ModelHeaders, NoQuery, uploadHeaderRules } from './request-schemas.js'
import { coordinator, jsonError, type AppEnv } from './http.js'
import { secaggRoutes } from './secagg-routes.js'

/**
 * Builds the app. Routes: GET /v1/round, GET /v1/model, POST /v1/updates, GET /v1/privacy,
 * GET /v1/health, and secure aggregation's POST /v1/secagg/… (`secagg-routes.ts`). Everything else falls through to the static assets.
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // Same-origin pages need no CORS; other shop origins must be listed explicitly.
  app.use('/v1/*', originPolicy((env: Env) => guardSettings(env).allowedOrigins))
  app.use('/v1/*', rateLimit((env: Env) => guardSettings(env)))

  app.get('/v1/health', (c) => {
    checkRequest(c, { query: NoQuery })
    return c.json({ ok: true })
  })

  app.get('/v1/round', async (c) => {
    checkRequest(c, { query: NoQuery })
    const round = await coordinator(c.env).getRound()
    return c.json(round, 200, { 'cache-control': 'no-store' })
  })

  app.get('/v1/model', async (c) => {
    checkRequest(c, { query: NoQuery, headers: ModelHeaders })
    const stub = coordinator(c.env)
    const version = await stub.getModelVersion()
    const etag = `"v${version}"`
    const headers = { etag, 'cache-control': 'no-cache', 'x-fedrec-model-version': String(version) }
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers)
    const model = await stub.getModel()
    return c.body(model.bytes.slice().buffer, 200, { ...headers, etag: `"v${model.version}"`, 'content-type': 'application/octet-stream' })
  })

  app.post('/v1/updates', async (c) => {
    const { maxUploadBytes } = roundSettings(c.env)
    checkRequest(c, { query: NoQuery, headerRules: uploadHeaderRules(maxUploadBytes) })
    const body = await c.req.arrayBuffer()
    if (body.byteLength > maxUploadBytes) return jsonError(413, 'too_large', `body of ${body.byteLength} bytes exceeds ${maxUploadBytes}`)
    const result = await coordinator(c.env).submit(body)
    if (!result.ok) return jsonError(result.status, result.reason, result.message)
    return c.json({ status: 'accepted', roundId: result.roundId, received: result.received, published: result.published }, 202, { 'cache-control': 'no-store' })
  })

  app.get('/v1/privacy', async (c) => {
    checkRequest(c, { query: NoQuery })
    return c.json(await coordinator(c.env).getPrivacy(), 200, { 'cache-control': 'no-store' })
  })

  app.route('/v1/secagg', secaggRoutes())

  app.all('/v1/*', (c) => jsonError(404, 'not_found', `no API route ${c.req.method} ${new URL(c.req.url).pathname}`))

  app.all('*', (c) => c.env.ASSETS.fetch(c.req.raw))

  app.onError((err, c) => {
    if (err instanceof PayloadRejectedError) return jsonError(err.status, err.reason, err.message)
    if (err instanceof HTTPException) return jsonError(err.status, 'http_error', err.message)
    console.error('[fedrec-edge]', err)
    return jsonError(500, 'internal', c.req.path.startsWith('/v1/') ? 'internal error; nothing was stored' : 'internal error')
  })

  return app
}
