/**
 * HTTP routes of secure aggregation (docs/SECAGG.md), all POST and never cached:
 *   /v1/secagg/join                  → a cohort, a member index and a session token
 *   /v1/secagg/cohorts/:id/poll      → the roster, inbox, survivor list or outcome once ready
 *   /v1/secagg/cohorts/:id/keys      → step 1, public keys
 *   /v1/secagg/cohorts/:id/shares    → step 2, sealed shares
 *   /v1/secagg/cohorts/:id/masked    → step 3, masked input (binary: token ‖ words)
 *   /v1/secagg/cohorts/:id/unmask    → step 4, revealed shares
 * Thin: the coordinator assigns cohorts, the cohort Durable Object runs the protocol.
 */
import { Hono, type Context } from 'hono'
import { tokenFromJson } from '../../aggregator/src/secagg/index.js'
import { roundSettings, type Env } from './env.js'
import { coordinator, jsonError, readBody, type AppEnv } from './http.js'
import type { CohortReply, CohortWant } from './secagg-cohort.js'

/** JSON messages are small (a few hundred bytes per neighbour); anything larger is refused. */
const MAX_JSON_BYTES = 1 << 20
const NO_STORE = { 'cache-control': 'no-store' }
const WANTS: readonly CohortWant[] = ['roster', 'inbox', 'survivors', 'outcome']

const cohortName = (roundId: number, cohort: number): string => `r${roundId}.c${cohort}`

function parseCohortName(id: string): { roundId: number; cohort: number } | null {
  const m = /^r(\d{1,9})\.c(\d{1,6})$/.exec(id)
  return m ? { roundId: Number(m[1]), cohort: Number(m[2]) } : null
}

function cohortStub(env: Env, name: string) {
  return env.COHORTS.get(env.COHORTS.idFromName(name))
}

function reply<T>(c: Context<AppEnv>, r: CohortReply<T>): Response {
  return r.ok ? c.json(r.value as object, 200, NO_STORE) : jsonError(r.status, r.reason, r.message)
}

async function readJson(c: Context<AppEnv>): Promise<Record<string, unknown> | Response> {
  const body = await readBody(c, 'application/json', MAX_JSON_BYTES)
  try {
    const v = JSON.parse(new TextDecoder().decode(body)) as unknown
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return jsonError(400, 'malformed', 'body must be a JSON object')
    return v as Record<string, unknown>
  } catch {
    return jsonError(400, 'malformed', 'body is not valid JSON')
  }
}

/** Token from the JSON body, or a 400. */
function token(body: Record<string, unknown>): string | Response {
  try {
    return tokenFromJson(body)
  } catch (e) {
    return jsonError(400, 'malformed', e instanceof Error ? e.message : 'token missing')
  }
}

export function secaggRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>()

  r.post('/join', async (c) => {
    const body = await readJson(c)
    if (body instanceof Response) return body
    const { roundId, vectorLength } = body
    if (typeof roundId !== 'number' || !Number.isInteger(roundId) || typeof vectorLength !== 'number' || !Number.isInteger(vectorLength)) {
      return jsonError(400, 'malformed', 'join needs an integer roundId and vectorLength')
    }
    const coord = coordinator(c.env)
    // A cohort that started meanwhile refuses; the lobby then moves on. Two retries cover races.
    for (let attempt = 0; attempt < 3; attempt++) {
      const assigned = await coord.secureJoin(roundId, vectorLength)
      if (!assigned.ok) return jsonError(assigned.status, assigned.reason, assigned.message)
      const name = cohortName(roundId, assigned.init.cohort)
      const joined = await cohortStub(c.env, name).join(assigned.init)
      if (joined.ok) {
        const { round, scale } = assigned.init
        return c.json({ cohort: name, ...joined.value, minSurvivors: round.secureAggregation.minSurvivors, cohortSize: round.secureAggregation.cohortSize, scale }, 200, NO_STORE)
      }
      if (joined.reason !== 'cohort_full') return jsonError(joined.status, joined.reason, joined.message)
      await coord.secureCohortStarted(roundId, assigned.init.cohort)
    }
    return jsonError(409, 'cohort_full', 'every cohort tried had started; try again')
  })

  const withCohort = (c: Context<AppEnv>): ReturnType<typeof cohortStub> | Response => {
    const id = c.req.param('id') ?? ''
    if (!parseCohortName(id)) return jsonError(404, 'not_found', `no cohort ${id}`)
    return cohortStub(c.env, id)
  }

  /** The cohort, the JSON body and the client's token of a protocol message, or the 4xx answer. */
  const cohortMessage = async (c: Context<AppEnv>): Promise<{ stub: ReturnType<typeof cohortStub>; body: Record<string, unknown>; t: string } | Response> => {
    const stub = withCohort(c)
    if (stub instanceof Response) return stub
    const body = await readJson(c)
    if (body instanceof Response) return body
    const t = token(body)
    if (t instanceof Response) return t
    return { stub, body, t }
  }

  r.post('/cohorts/:id/poll', async (c) => {
    const msg = await cohortMessage(c)
    if (msg instanceof Response) return msg
    const { stub, body, t } = msg
    const want = body.want as CohortWant
    if (!WANTS.includes(want)) return jsonError(400, 'malformed', `want must be one of ${WANTS.join(', ')}`)
    return reply(c, await stub.poll(t, want))
  })

  for (const step of ['keys', 'shares', 'unmask'] as const) {
    r.post(`/cohorts/:id/${step}`, async (c) => {
      const msg = await cohortMessage(c)
      if (msg instanceof Response) return msg
      return reply(c, await msg.stub[step](msg.t, msg.body))
    })
  }

  r.post('/cohorts/:id/masked', async (c) => {
    const stub = withCohort(c)
    if (stub instanceof Response) return stub
    return reply(c, await stub.masked(await readBody(c, 'application/octet-stream', roundSettings(c.env).maxUploadBytes)))
  })

  return r
}
