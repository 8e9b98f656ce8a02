/**
 * The device's side of a secure round (docs/SECAGG.md): joins a cohort, runs the pure
 * `SecAggClient` state machine over /v1/secagg/…, and sends its clipped, noised delta only as a
 * quantised, masked vector. The server never receives the delta itself.
 */
import type { RoundConfig, SecureAggregationRound } from '../../../aggregator/src/index.js'
import {
  AdvertiseKeysJson,
  cohortParams,
  cohortScale,
  encodeMaskedInput,
  InboxJson,
  quantize,
  RosterJson,
  SecAggAbortError,
  SecAggClient,
  ShareKeysJson,
  SurvivorsJson,
  UnmaskSharesJson,
} from '../../../aggregator/src/secagg/index.js'

/** Sends one request to the API: `path` is relative to the API base, e.g. 'v1/secagg/join'. */
export type ApiCall = (path: string, init?: RequestInit) => Promise<Response>

export type SecureRound = RoundConfig & { readonly secureAggregation: SecureAggregationRound }

export interface SecureAggregationOptions {
  /** Milliseconds between polls while waiting for the rest of the cohort (default 1000: the edge rate-limits per address). */
  readonly pollMs?: number
  /** Called as each step is reached (for logs and tests). */
  readonly onStep?: (step: string) => void
}

/** How a device's part in a secure round ended. */
export interface SecureAggregationReport {
  readonly status: 'delivered' | 'abandoned'
  /** Why the run ended without this device's input in a published sum. */
  readonly reason?: string
  readonly cohort: string | null
  /** Bytes of every request body this device sent. */
  readonly bytesSent: number
  /** Members whose inputs the delivered sum holds. */
  readonly included?: number
  /** Model version published with the sum, or null when the round is still open. */
  readonly published?: number | null
  /** The masked-input body exactly as sent (token ‖ masked words), for the device's own record. */
  readonly maskedInput: Uint8Array
}

/** Waits before retrying a request that failed at the network level. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 8000, 8000]

/** A failed request or a refusal by the server: the run ends for this device. */
class RunEnded extends Error {
  override readonly name = 'RunEnded'
}

interface Poll {
  readonly step: string
  readonly deadline: number
  readonly data?: unknown
  readonly outcome?: { status: 'delivered' | 'abandoned'; reason?: string; included?: number; published?: number | null }
}

/**
 * Takes part in the open secure round with `delta` (already clipped and noised for the round).
 * Never throws for protocol or network trouble: the report says how it ended.
 * @example const report = await runSecureAggregation(api, round, privatizedDelta)
 */
export async function runSecureAggregation(api: ApiCall, round: SecureRound, delta: Float32Array, opts: SecureAggregationOptions = {}): Promise<SecureAggregationReport> {
  const pollMs = opts.pollMs ?? 1000
  let bytesSent = 0
  let cohort: string | null = null
  let maskedInput = new Uint8Array(0)

  const post = async (path: string, body: BodyInit & (string | Uint8Array), type: string): Promise<unknown> => {
    bytesSent += typeof body === 'string' ? new TextEncoder().encode(body).length : body.length
    let res: Response | null = null
    // A network error may be a restarting edge: retry within about half a minute (the cohort
    // keeps every acknowledged message), then give up. An HTTP answer is never retried.
    for (let attempt = 0; res === null; attempt++) {
      try {
        res = await api(path, { method: 'POST', body, headers: { 'content-type': type } })
      } catch (e) {
        if (attempt >= RETRY_DELAYS_MS.length) throw new RunEnded(`offline: ${String(e)}`)
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]))
      }
    }
    const json = (await res.json().catch(() => null)) as { error?: { reason: string; message: string } } | null
    if (!res.ok) throw new RunEnded(`${res.status} ${json?.error?.reason ?? ''}: ${json?.error?.message ?? ''}`)
    return json
  }
  const postJson = (path: string, value: object): Promise<unknown> => post(path, JSON.stringify(value), 'application/json')

  try {
    const joined = (await postJson('v1/secagg/join', { roundId: round.roundId, vectorLength: delta.length })) as { cohort: string; index: number; token: string; minSurvivors: number; scale: number }
    cohort = joined.cohort
    const m = /^r(\d+)\.c(\d+)$/.exec(joined.cohort)
    if (!m || Number(m[1]) !== round.roundId) throw new RunEnded(`the server named cohort ${joined.cohort} for round ${round.roundId}`)
    // Everything that protects this device is computed from the public round config, not taken
    // from the join answer: a server announcing a smaller minimum or another scale is refused.
    const params = cohortParams(round, Number(m[2]), delta.length)
    const scale = cohortScale(round)
    if (joined.minSurvivors !== params.minSurvivors || joined.scale !== scale) throw new RunEnded('the cohort announces parameters that differ from the round config')
    const { token } = joined
    const base = `v1/secagg/cohorts/${joined.cohort}/`

    /** Set once the cohort accepted this device's masked input: from then on it is in the sum. */
    let inputAccepted = false
    /** The cohort finished while this device waited: its input is in the sum iff it was accepted. */
    class Finished extends Error {
      constructor(readonly outcome: NonNullable<Poll['outcome']>) {
        super(outcome.reason ?? `cohort ${outcome.status}`)
      }
    }
    /** Polls until `want` is ready; ends the run if the cohort ended first. */
    const wait = async (want: 'roster' | 'inbox' | 'survivors' | 'outcome'): Promise<Poll> => {
      for (;;) {
        const p = (await postJson(`${base}poll`, { token, want })) as Poll
        if (p.data !== undefined) return p
        // The server unmasks as soon as enough shares are in, possibly before this device asked
        // for the survivor list: a delivered outcome then still holds this device's input.
        if (p.outcome) throw inputAccepted && p.outcome.status === 'delivered' ? new Finished(p.outcome) : new RunEnded(p.outcome.reason ?? `cohort ${p.outcome.status}`)
        await new Promise((r) => setTimeout(r, pollMs))
      }
    }

    const client = await SecAggClient.create(params, joined.index)
    opts.onStep?.('advertise_keys')
    await postJson(`${base}keys`, { token, ...AdvertiseKeysJson.encode(client.advertise()) })
    const roster = RosterJson.decode((await wait('roster')).data)
    opts.onStep?.('share_keys')
    await postJson(`${base}shares`, { token, ...ShareKeysJson.encode(await client.shareKeys(roster)) })
    const inbox = InboxJson.decode((await wait('inbox')).data)
    opts.onStep?.('masked_input')
    const masked = await client.maskInput(inbox, quantize(delta, scale))
    maskedInput = encodeMaskedInput(token, masked)
    await post(`${base}masked`, maskedInput, 'application/octet-stream')
    inputAccepted = true
    let outcome: NonNullable<Poll['outcome']>
    try {
      const survivors = SurvivorsJson.decode((await wait('survivors')).data)
      opts.onStep?.('unmask')
      try {
        await postJson(`${base}unmask`, { token, ...UnmaskSharesJson.encode(client.unmask(survivors)) })
      } catch (e) {
        // Too late to help unmask (the cohort already finished): the outcome still tells.
        if (!(e instanceof RunEnded)) throw e
      }
      outcome = (await wait('outcome')).data as NonNullable<Poll['outcome']>
    } catch (e) {
      if (!(e instanceof Finished)) throw e
      outcome = e.outcome
    }
    opts.onStep?.(outcome.status)
    return { ...outcome, cohort, bytesSent, maskedInput }
  } catch (e) {
    if (e instanceof RunEnded || e instanceof SecAggAbortError) return { status: 'abandoned', reason: e.message, cohort, bytesSent, maskedInput }
    return { status: 'abandoned', reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e), cohort, bytesSent, maskedInput }
  }
}
