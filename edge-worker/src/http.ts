/** Helpers shared by the HTTP routes: the coordinator stub, JSON errors, bounded body reads. */
import type { Context } from 'hono'
import { PayloadRejectedError, RejectReason } from '../../aggregator/src/index.js'
import type { Env } from './env.js'
import { checkRequest, NoQuery, uploadHeaderRules } from './request-schemas.js'

/** The single coordinator instance; sharding comes with the scaling work (docs/SCALING.md). */
export const COORDINATOR = 'global'

export type AppEnv = { Bindings: Env }

export function coordinator(env: Env) {
  return env.ROUNDS.get(env.ROUNDS.idFromName(COORDINATOR))
}

export function jsonError(status: number, reason: string, message: string): Response {
  return Response.json({ error: { reason, message } }, { status, headers: { 'cache-control': 'no-store' } })
}

/**
 * Reads a POST body of the given content type and at most `maxBytes`: the headers are checked by
 * the route schemas (415 for another type, 413 by declared size), the actual size here.
 * @throws PayloadRejectedError, which the app answers as 4xx JSON
 */
export async function readBody(c: Context<AppEnv>, contentType: string, maxBytes: number): Promise<ArrayBuffer> {
  checkRequest(c, { query: NoQuery, headerRules: uploadHeaderRules(maxBytes, contentType) })
  const body = await c.req.arrayBuffer()
  if (body.byteLength > maxBytes) throw new PayloadRejectedError(RejectReason.TooLarge, `body of ${body.byteLength} bytes exceeds ${maxBytes}`, 413)
  return body
}
