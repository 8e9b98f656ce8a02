/**
 * One secure-aggregation cohort as a Durable Object: a thin, persistent shell around the pure
 * `SecAggServer` state machine. Every accepted message is appended to an event log in SQLite
 * before it is acknowledged and the state machine is rebuilt from the log after a restart. Step
 * deadlines are Durable Object alarms. When the masks are removed, the cohort's sum goes to the
 * RoundCoordinator, which folds it into the round like any other updates and publishes.
 */
import { DurableObject } from 'cloudflare:workers'
import { PayloadRejectedError, RejectReason, type RoundConfig, type SecureAggregationRound } from '../../aggregator/src/index.js'
import {
  AdvertiseKeysJson,
  cohortParams,
  decodeMaskedInput,
  dequantizeSum,
  InboxJson,
  RosterJson,
  SecAggServer,
  SecAggStep,
  ShareKeysJson,
  SurvivorsJson,
  toB64,
  TOKEN_BYTES,
  UnmaskSharesJson,
  type NeighbourGraph,
} from '../../aggregator/src/secagg/index.js'
import { deleteBlobs, getBlob, putBlob, BLOB_SCHEMA } from './blob-table.js'
import type { Env } from './env.js'

/** What the coordinator hands a cohort at its first join: the round's public parameters. */
export interface CohortInit {
  readonly round: RoundConfig & { readonly secureAggregation: SecureAggregationRound }
  readonly cohort: number
  readonly vectorLength: number
  /** Fixed-point scale of the inputs (`cohortScale(round)`). */
  readonly scale: number
}

/** Either a value or a rejection the edge turns into a 4xx. */
export type CohortReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: 400 | 409 | 413 | 415 | 422; readonly reason: string; readonly message: string }

/** What a member may wait for. */
export type CohortWant = 'roster' | 'inbox' | 'survivors' | 'outcome'

export interface PollView {
  readonly step: SecAggStep
  /** Unix ms when the current step closes. */
  readonly deadline: number
  /** The requested message once it exists for this member; absent while waiting. */
  readonly data?: unknown
  /** Final outcome once the run ended. */
  readonly outcome?: CohortOutcome
}

export interface CohortOutcome {
  readonly status: 'delivered' | 'abandoned'
  readonly reason?: string
  /** Members whose input the delivered sum holds. */
  readonly included?: number
  /** Model version the round published with this sum, or null if it is still open. */
  readonly published?: number | null
}

type EventKind = 'init' | 'join' | 'keys' | 'shares' | 'masked' | 'unmask' | 'close' | 'abandon' | 'outcome'

const SCHEMA = [
  BLOB_SCHEMA,
  'CREATE TABLE IF NOT EXISTS cohort_event (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, idx INTEGER NOT NULL, body TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS cohort_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
]

function rejection(e: unknown): CohortReply<never> {
  if (e instanceof PayloadRejectedError) return { ok: false, status: e.status, reason: e.reason, message: e.message }
  throw e
}

const graphToJson = (g: NeighbourGraph): [number, readonly number[]][] => [...g.entries()]
const graphFromJson = (j: [number, number[]][]): NeighbourGraph => new Map(j)

export class SecAggCohort extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private init: CohortInit | null = null
  private server: SecAggServer | null = null
  private readonly tokens = new Map<string, number>()
  private deadline = 0
  private outcome: CohortOutcome | null = null
  /** Messages are applied one at a time: the state machine awaits WebCrypto mid-message. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    void ctx.blockConcurrencyWhile(() => this.load())
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  private get secure(): SecureAggregationRound {
    return this.init!.round.secureAggregation
  }

  /** Rebuilds the state machine by replaying the event log. */
  private async load(): Promise<void> {
    for (const ddl of SCHEMA) this.sql.exec(ddl)
    const meta = new Map(this.sql.exec<{ key: string; value: string }>('SELECT key, value FROM cohort_meta').toArray().map((r) => [r.key, r.value]))
    this.deadline = Number(meta.get('deadline') ?? 0)
    const events = this.sql.exec<{ seq: number; kind: EventKind; idx: number; body: string }>('SELECT seq, kind, idx, body FROM cohort_event ORDER BY seq').toArray()
    // A run that ended keeps only who its members were and how it ended (its inputs are deleted).
    const ended = events.some((e) => e.kind === 'outcome')
    for (const e of events) {
      if (ended && e.kind !== 'init' && e.kind !== 'join' && e.kind !== 'outcome') continue
      await this.apply(e.kind, e.idx, e.body, e.seq)
    }
  }

  /** Applies one logged event to the in-memory state (also used live, after logging it). */
  private async apply(kind: EventKind, idx: number, body: string, seq: number): Promise<void> {
    switch (kind) {
      case 'init':
        this.init = JSON.parse(body) as CohortInit
        this.server = new SecAggServer(cohortParams(this.init.round, this.init.cohort, this.init.vectorLength), { maxMembers: this.secure.cohortSize })
        return
      case 'join':
        this.server!.join()
        this.tokens.set(body, idx)
        return
      case 'keys':
        return this.server!.receiveKeys(idx, AdvertiseKeysJson.decode(JSON.parse(body)))
      case 'shares':
        return this.server!.receiveShares(idx, ShareKeysJson.decode(JSON.parse(body)))
      case 'masked': {
        const bytes = getBlob(this.sql, 'masked', seq, 0)!
        return this.server!.receiveMasked(idx, new Uint32Array(bytes.slice().buffer))
      }
      case 'unmask':
        return this.server!.receiveUnmask(idx, UnmaskSharesJson.decode(JSON.parse(body)))
      case 'close':
        this.server!.close(body === '' ? {} : { graph: graphFromJson(JSON.parse(body) as [number, number[]][]) })
        return
      case 'abandon':
        this.server!.abandon(body)
        return
      case 'outcome':
        this.outcome = JSON.parse(body) as CohortOutcome
        return
    }
  }

  /** Appends an event to the log (durably, before any reply) and applies it. */
  private async record(kind: EventKind, idx: number, body: string, blob?: Uint8Array): Promise<void> {
    let seq = 0
    this.ctx.storage.transactionSync(() => {
      seq = this.sql.exec<{ seq: number }>('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?) RETURNING seq', kind, idx, body).one().seq
      if (blob) putBlob(this.sql, 'masked', seq, 0, blob)
    })
    await this.apply(kind, idx, body, seq)
  }

  private async setDeadline(at: number): Promise<void> {
    this.deadline = at
    this.sql.exec("INSERT INTO cohort_meta (key, value) VALUES ('deadline', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", String(at))
    await this.ctx.storage.setAlarm(at)
  }

  private member(token: string): number {
    const i = this.tokens.get(token)
    if (i === undefined) throw new PayloadRejectedError(RejectReason.UnknownMember, 'this token belongs to no member of the cohort', 409)
    return i
  }

  /**
   * Admits a client. The first join fixes the cohort's parameters and starts its join window; the
   * cohort starts when full or when the window ends.
   * @returns the member's index and session token, or a 409 `cohort_full` rejection
   */
  async join(init: CohortInit): Promise<CohortReply<{ index: number; token: string; deadline: number }>> {
    return this.serial(async () => {
      try {
        if (!this.init) {
          await this.record('init', 0, JSON.stringify(init))
          await this.setDeadline(Math.min(Date.now() + this.secure.joinSeconds * 1000, init.round.deadline))
        }
        if (this.server!.step !== SecAggStep.Join || this.server!.memberCount >= this.secure.cohortSize) {
          return { ok: false, status: 409, reason: 'cohort_full', message: 'this cohort has started; join the next one' }
        }
        const token = toB64(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)))
        const index = this.server!.memberCount
        await this.record('join', index, token)
        if (this.server!.memberCount >= this.secure.cohortSize) await this.advance()
        return { ok: true, value: { index, token, deadline: this.deadline } }
      } catch (e) {
        return rejection(e)
      }
    })
  }

  /** Closes the current step (or finishes the run) and arms the next deadline. */
  private async advance(): Promise<void> {
    const s = this.server!
    if (s.step === SecAggStep.Unmask) {
      await this.finish()
      return
    }
    const graph = s.step === SecAggStep.AdvertiseKeys ? s.close() : null
    if (graph) {
      // Replaying must reproduce the same graph: log the drawn one. The close already happened
      // in memory, so log without re-applying.
      this.sql.exec('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?)', 'close', 0, JSON.stringify(graphToJson(graph)))
    } else {
      await this.record('close', 0, '')
    }
    if (this.server!.step === SecAggStep.Abandoned) {
      await this.end({ status: 'abandoned', reason: this.server!.abandonedBecause ?? 'abandoned' })
      return
    }
    await this.setDeadline(Date.now() + this.secure.stepSeconds * 1000)
    // Everyone still in may already have answered (e.g. all of them dropped): close again at once.
    if (this.server!.awaited().length === 0) await this.advance()
  }

  /** Removes the masks and hands the sum to the round coordinator. */
  private async finish(): Promise<void> {
    const s = this.server!
    if (!s.reconstructible()) {
      await this.record('abandon', 0, 'too few unmasking shares arrived before the deadline')
      await this.end({ status: 'abandoned', reason: s.abandonedBecause ?? 'too few unmasking shares' })
      return
    }
    let result
    try {
      result = await s.finish()
    } catch (e) {
      await this.end({ status: 'abandoned', reason: s.abandonedBecause ?? String(e) })
      return
    }
    const sum = dequantizeSum(result.sum, this.init!.scale)
    const coordinator = this.env.ROUNDS.get(this.env.ROUNDS.idFromName('global'))
    const delivered = await coordinator.submitCohortSum({
      roundId: this.init!.round.roundId,
      cohort: this.init!.cohort,
      modelVersion: this.init!.round.modelVersion,
      sum: new Uint8Array(sum.buffer),
      included: result.included.length,
      dropped: result.dropped.length,
    })
    await this.end(delivered.ok ? { status: 'delivered', included: result.included.length, published: delivered.published } : { status: 'abandoned', reason: `the round refused the sum: ${delivered.message}` })
  }

  private async end(outcome: CohortOutcome): Promise<void> {
    await this.record('outcome', 0, JSON.stringify(outcome))
    // The masked inputs are no longer needed by anyone: drop them.
    for (const r of this.sql.exec<{ seq: number }>("SELECT seq FROM cohort_event WHERE kind = 'masked'").toArray()) deleteBlobs(this.sql, 'masked', r.seq)
    await this.ctx.storage.deleteAlarm()
  }

  /** Runs one member message, then moves on when nobody else is awaited. */
  private async message(token: string, step: SecAggStep, fn: (i: number) => Promise<void>): Promise<CohortReply<{ step: SecAggStep }>> {
    return this.serial(async () => {
      try {
        const i = this.member(token)
        const early = step === SecAggStep.AdvertiseKeys && this.server!.step === SecAggStep.Join
        if (this.server!.step !== step && !early) {
          throw new PayloadRejectedError(RejectReason.WrongStep, `the cohort is at step ${this.outcome ? this.outcome.status : this.server!.step}, not ${step}`, 409)
        }
        await fn(i)
        const s = this.server!
        if (s.step !== SecAggStep.Join && (s.step === SecAggStep.Unmask ? s.reconstructible() : s.awaited().length === 0)) await this.advance()
        return { ok: true, value: { step: this.server!.step } }
      } catch (e) {
        return rejection(e)
      }
    })
  }

  async keys(token: string, body: unknown): Promise<CohortReply<{ step: SecAggStep }>> {
    return this.message(token, SecAggStep.AdvertiseKeys, async (i) => {
      const msg = AdvertiseKeysJson.decode(body)
      await this.server!.receiveKeys(i, msg) // validates; replay-safe because serial
      this.sql.exec('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?)', 'keys', i, JSON.stringify(AdvertiseKeysJson.encode(msg)))
    })
  }

  async shares(token: string, body: unknown): Promise<CohortReply<{ step: SecAggStep }>> {
    return this.message(token, SecAggStep.ShareKeys, async (i) => {
      const msg = ShareKeysJson.decode(body)
      this.server!.receiveShares(i, msg)
      this.sql.exec('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?)', 'shares', i, JSON.stringify(ShareKeysJson.encode(msg)))
    })
  }

  async masked(body: ArrayBuffer): Promise<CohortReply<{ step: SecAggStep }>> {
    let decoded: { token: string; words: Uint32Array }
    try {
      decoded = decodeMaskedInput(new Uint8Array(body))
    } catch (e) {
      return rejection(e)
    }
    return this.message(decoded.token, SecAggStep.MaskedInput, async (i) => {
      this.server!.receiveMasked(i, decoded.words)
      this.ctx.storage.transactionSync(() => {
        const seq = this.sql.exec<{ seq: number }>('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?) RETURNING seq', 'masked', i, '').one().seq
        putBlob(this.sql, 'masked', seq, 0, new Uint8Array(decoded.words.buffer, decoded.words.byteOffset, decoded.words.byteLength))
      })
    })
  }

  async unmask(token: string, body: unknown): Promise<CohortReply<{ step: SecAggStep }>> {
    return this.message(token, SecAggStep.Unmask, async (i) => {
      const msg = UnmaskSharesJson.decode(body)
      this.server!.receiveUnmask(i, msg)
      this.sql.exec('INSERT INTO cohort_event (kind, idx, body) VALUES (?, ?, ?)', 'unmask', i, JSON.stringify(UnmaskSharesJson.encode(msg)))
    })
  }

  /** What a member waits for: its roster, inbox or survivor list once they exist, or the outcome. */
  async poll(token: string, want: CohortWant): Promise<CohortReply<PollView>> {
    return this.serial(async () => {
      try {
        const i = this.member(token)
        const s = this.server!
        const base = { step: s.step, deadline: this.deadline, ...(this.outcome ? { outcome: this.outcome } : {}) }
        const ended = this.outcome !== null || s.step === SecAggStep.Abandoned || s.step === SecAggStep.Done
        const ready: Record<CohortWant, boolean> = {
          roster: !ended && s.step !== SecAggStep.Join && s.step !== SecAggStep.AdvertiseKeys,
          inbox: !ended && (s.step === SecAggStep.MaskedInput || s.step === SecAggStep.Unmask),
          survivors: !ended && s.step === SecAggStep.Unmask,
          outcome: this.outcome !== null,
        }
        if (!ready[want]) return { ok: true, value: base }
        const data = want === 'roster' ? RosterJson.encode(s.roster(i)) : want === 'inbox' ? InboxJson.encode(s.inbox(i)) : want === 'survivors' ? SurvivorsJson.encode(s.survivors(i)) : this.outcome
        return { ok: true, value: { ...base, data } }
      } catch (e) {
        return rejection(e)
      }
    })
  }

  /** A step's deadline: go on with whoever answered (or abandon below the threshold). */
  override async alarm(): Promise<void> {
    await this.serial(async () => {
      if (!this.server || this.outcome) return
      if (Date.now() < this.deadline) {
        await this.ctx.storage.setAlarm(this.deadline)
        return
      }
      await this.advance()
    })
  }
}
