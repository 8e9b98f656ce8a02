/**
 * Schemas (valibot) of what each route accepts besides its body: query strings and headers.
 * The binary update body is checked by the aggregator's byte reader and envelope schema.
 */
import type { Context } from 'hono'
import * as v from 'valibot'
import { checkRules, RejectReason, type SchemaRule } from '../../aggregator/src/index.js'

/** No route takes query parameters today: anything in the query string is refused. */
export const NoQuery = v.strictObject({})

/** GET /v1/model: an optional ETag from an earlier answer. */
export const ModelHeaders = v.object({
  'if-none-match': v.optional(v.pipe(v.string(), v.maxLength(64, 'if-none-match is longer than any ETag we send'))),
})

/** POST headers: the content type first (415), then the declared size (413). Default: /v1/updates's binary type. */
export function uploadHeaderRules(maxUploadBytes: number, contentType = 'application/octet-stream'): SchemaRule[] {
  return [
    {
      reason: RejectReason.BadContentType,
      status: 415,
      schema: v.object({
        'content-type': v.pipe(
          v.string('content-type is required'),
          v.transform((t) => t.split(';')[0]!.trim().toLowerCase()),
          v.literal(contentType, (i) => `content-type must be ${contentType}, got ${String(i.input)}`),
        ),
      }),
    },
    {
      reason: RejectReason.TooLarge,
      status: 413,
      schema: v.object({
        'content-length': v.optional(
          v.pipe(
            v.string(),
            v.regex(/^\d+$/, 'content-length must be a byte count'),
            v.transform(Number),
            v.maxValue(maxUploadBytes, (i) => `body of ${String(i.input)} bytes exceeds ${maxUploadBytes}`),
          ),
        ),
      }),
    },
  ]
}

/**
 * Checks a request's query and headers; a failure becomes a PayloadRejectedError that the app's
 * error handler turns into a 4xx JSON answer.
 * @example checkRequest(c, { query: NoQuery, headers: ModelHeaders })
 */
export function checkRequest(c: Context, parts: { query?: v.GenericSchema; headers?: v.GenericSchema; headerRules?: readonly SchemaRule[] }): void {
  const rules: SchemaRule[] = []
  if (parts.query) rules.push({ reason: RejectReason.BadRequest, status: 400, schema: v.object({ query: parts.query }) })
  if (parts.headers) rules.push({ reason: RejectReason.BadRequest, status: 400, schema: v.object({ headers: parts.headers }) })
  const headers = c.req.header()
  checkRules({ query: c.req.query(), headers }, rules)
  if (parts.headerRules) checkRules(headers, parts.headerRules)
}
