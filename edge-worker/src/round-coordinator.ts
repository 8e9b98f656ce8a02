/**
 * The Durable Object that owns the global model and the open round: accepts updates, persists
 * each before acknowledging it, and publishes the FedAvg result when the round closes.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  decodeModel,
  decodeUpdate,
  encodeModel,
  ModelEncoding,
  modelPrivacy,
  roundUpdateEncodingFor,
  nextClipNorm,
  PayloadRejectedError,
  RejectReason,
  RoundSum,
  serverStep,
  ServerOptimizer,
  unclippedFraction,
  validateUpdate,
  type ModelBundle,
  type ModelPrivacy,
  type RoundConfig,
  type RoundLedgerEntry,
} from '../../aggregator/src/index.js'
import { BLOB_SCHEMA, deleteBlobs, getBlob, putBlob } from './blob-table.js'
import { roundSettings, type Env, type RoundSettings } from './env.js'
import { guardSettings, type GuardSettings } from './guard-settings.js'
import { aggregateRound, deleteRoundUpdates, loadRoundUpdates, UPDATE_BLOB } from './round-aggregate.js'
import type { CohortInit } from './secagg-cohort.js'
import { assignCohort, cohortStarted, deleteSecureRound, hasCohortSum, loadCohortSums, putCohortSum, SECAGG_SCHEMA, secureLedger, type CohortSum } from './secagg-store.js'
import { cohortScale } from '../../aggregator/src/secagg/index.js'
import { addClipBit, deleteClipBits, loadAdamState, loadClipNorm, saveAdamState, saveClipNorm, SERVER_STATE_SCHEMA, sumClipBits } from './server-state.js'

/** What GET /v1/privacy answers. */
export interface PrivacyReport {
  readonly rounds: RoundLedgerEntry[]
  readonly current: RoundConfig
  /** (ε, δ) of the model being served now, composed over every published round. */
  readonly model: ModelPrivacy & { readonly version: number }
  readonly serverOptimizer: ServerOptimizer
}

/** What `submit` answers: the edge turns it into a 202 or a 4xx. */
export type SubmitResult =
  | { readonly ok: true; readonly roundId: number; readonly received: number; readonly published: number | null }
  | { readonly ok: false; readonly status: 400 | 409 | 413 | 415 | 422; readonly reason: string; readonly message: string }

interface OpenRound {
  readonly config: RoundConfig
  readonly openedAt: number
}

/** Bundled initial model (written by the build from the demo catalogue). */
const INITIAL_MODEL_PATH = '/model/initial.bin'

export class RoundCoordinator extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private readonly settings: RoundSettings
  private readonly guard: GuardSettings
  /** The float32 master weights: FedAvg steps from these, never from the quantised bundle. */
  private model!: ModelBundle
  /** The master bundle as stored (float32, model format 1). */
  private modelBytes!: Uint8Array
  /** What GET /v1/model serves: the master encoded in the deployment's model encoding. */
  private publishedBytes!: Uint8Array
  private round!: OpenRound
  private sum!: RoundSum
  /** C the next round announces: fixed, or the adaptive estimate (persisted in server_state). */
  private clipNorm = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.settings = roundSettings(env)
    this.guard = guardSettings(env)
    void ctx.blockConcurrencyWhile(() => this.load())
  }

  /** Creates the schema, loads or seeds the model, and rebuilds the open round from storage. */
  private async load(): Promise<void> {
    this.sql.exec(BLOB_SCHEMA)
    this.sql.exec('CREATE TABLE IF NOT EXISTS model (version INTEGER PRIMARY KEY, created_at INTEGER NOT NULL)')
    this.sql.exec('CREATE TABLE IF NOT EXISTS round (id INTEGER PRIMARY KEY, config TEXT NOT NULL, opened_at INTEGER NOT NULL, status TEXT NOT NULL)')
    this.sql.exec('CREATE TABLE IF NOT EXISTS round_update (round_id INTEGER NOT NULL, seq INTEGER NOT NULL, nonce BLOB NOT NULL UNIQUE, received_at INTEGER NOT NULL, PRIMARY KEY (round_id, seq))')
    this.sql.exec('CREATE TABLE IF NOT EXISTS ledger (round_id INTEGER PRIMARY KEY, entry TEXT NOT NULL)')
    for (const ddl of [...SERVER_STATE_SCHEMA, ...SECAGG_SCHEMA]) this.sql.exec(ddl)
    this.clipNorm = this.settings.adaptiveClipping ? loadClipNorm(this.sql, this.settings.clipNorm) : this.settings.clipNorm

    const latest = this.sql.exec<{ version: number }>('SELECT version FROM model ORDER BY version DESC LIMIT 1').toArray()[0]
    if (latest) {
      this.modelBytes = getBlob(this.sql, 'model', latest.version, 0)!
    } else {
      const res = await this.env.ASSETS.fetch(new Request(`https://assets.local${INITIAL_MODEL_PATH}`))
      if (!res.ok) throw new Error(`initial model ${INITIAL_MODEL_PATH} missing from the assets (${res.status}); run the build`)
      this.modelBytes = new Uint8Array(await res.arrayBuffer())
      const version = decodeModel(this.modelBytes).version
      this.ctx.storage.transactionSync(() => {
        this.sql.exec('INSERT INTO model (version, created_at) VALUES (?, ?)', version, Date.now())
        putBlob(this.sql, 'model', version, 0, this.modelBytes)
      })
    }
    this.model = decodeModel(this.modelBytes)
    this.publishedBytes = this.publish(this.model, this.modelBytes)

    const open = this.sql.exec<{ config: string; opened_at: number }>("SELECT config, opened_at FROM round WHERE status = 'open' ORDER BY id DESC LIMIT 1").toArray()[0]
    if (open) {
      this.round = { config: JSON.parse(open.config) as RoundConfig, openedAt: open.opened_at }
    } else {
      const last = this.sql.exec<{ id: number }>('SELECT id FROM round ORDER BY id DESC LIMIT 1').toArray()[0]
      this.openRound((last?.id ?? 0) + 1)
    }
    // Rebuild the running sum from the persisted updates: everything acknowledged is counted.
    this.sum = new RoundSum(this.model.weights.length)
    for (const update of loadRoundUpdates(this.sql, this.round.config.roundId)) this.sum.add(update)
    for (const c of loadCohortSums(this.sql, this.round.config.roundId)) this.sum.addSum(c.sum, c.included)
    await this.ctx.storage.setAlarm(this.round.config.deadline)
  }

  /**
   * The bundle devices download. Quantised (int8 rows) by default: devices train from the
   * dequantised weights and send Δ = w_local − q(w). The server adds their mean to its float32
   * master w, so FedAvg stays unbiased up to the rounding of the starting point, |q(w) − w| ≤ half
   * a row step, which does not accumulate: every round quantises the master afresh.
   */
  private publish(model: ModelBundle, masterBytes: Uint8Array): Uint8Array {
    return this.settings.modelEncoding === ModelEncoding.Float32 ? masterBytes : encodeModel(model, { encoding: this.settings.modelEncoding })
  }

  private openRound(id: number): void {
    const s = this.settings
    const now = Date.now()
    const config: RoundConfig = {
      roundId: id,
      modelVersion: this.model.version,
      clipNorm: this.clipNorm,
      noiseMultiplier: s.noiseMultiplier,
      noiseMode: s.noiseMode,
      minClients: s.minClients,
      expectedClients: s.expectedClients,
      serverLearningRate: s.serverLearningRate,
      sampleRate: s.sampleRate,
      deadline: now + s.roundSeconds * 1000,
      adaptiveClipping: s.adaptiveClipping,
      secureAggregation: s.secureAggregation,
      updateEncoding: roundUpdateEncodingFor(s.updateEncoding, this.model.description.layout.map((t) => t.shape)),
    }
    this.sql.exec("INSERT INTO round (id, config, opened_at, status) VALUES (?, ?, ?, 'open')", id, JSON.stringify(config), now)
    this.round = { config, openedAt: now }
    this.sum = new RoundSum(this.model.weights.length)
  }

  async getRound(): Promise<RoundConfig> {
    return this.round.config
  }

  async getModelVersion(): Promise<number> {
    return this.model.version
  }

  async getModel(): Promise<{ version: number; bytes: Uint8Array }> {
    return { version: this.model.version, bytes: this.publishedBytes }
  }

  private ledgerEntries(): RoundLedgerEntry[] {
    return this.sql.exec<{ entry: string }>('SELECT entry FROM ledger ORDER BY round_id').toArray().map((r) => JSON.parse(r.entry) as RoundLedgerEntry)
  }

  async getLedger(): Promise<RoundLedgerEntry[]> {
    return this.ledgerEntries()
  }

  /** The privacy ledger: every closed round, the open one, and the served model's (ε, δ). */
  async getPrivacy(): Promise<PrivacyReport> {
    const rounds = this.ledgerEntries()
    return {
      rounds,
      current: this.round.config,
      model: { version: this.model.version, ...modelPrivacy(rounds, this.settings.targetDelta) },
      serverOptimizer: this.settings.serverStep.optimizer,
    }
  }

  /**
   * Validates and stores one update. The row and the payload's bytes, as they arrived, are
   * written before this returns, so an update that got a 2xx survives a restart; a replayed
   * nonce is refused by the UNIQUE constraint (one statement: the insert that finds it taken).
   */
  async submit(body: ArrayBuffer): Promise<SubmitResult> {
    try {
      if (this.round.config.secureAggregation) throw new PayloadRejectedError(RejectReason.ParameterMismatch, 'this round aggregates securely: take part through /v1/secagg/join', 422)
      const bytes = new Uint8Array(body)
      const update = decodeUpdate(bytes)
      validateUpdate(update, this.round.config, this.model.description.layout, this.guard)
      const roundId = this.round.config.roundId
      const seq = this.sum.count
      this.ctx.storage.transactionSync(() => {
        const row = this.sql.exec('INSERT INTO round_update (round_id, seq, nonce, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING', roundId, seq, update.nonce.slice().buffer, Date.now())
        if (row.rowsWritten === 0) throw new PayloadRejectedError(RejectReason.Replay, 'this payload was already accepted', 409)
        putBlob(this.sql, UPDATE_BLOB, roundId, seq, bytes)
        if (update.clipBit) addClipBit(this.sql, roundId, seq, update.clipBit.value)
      })
      this.sum.add(update.data)
      const received = this.sum.count
      const published = received >= this.round.config.expectedClients ? this.close('published') : null
      return { ok: true, roundId, received, published }
    } catch (e) {
      if (e instanceof PayloadRejectedError) return { ok: false, status: e.status, reason: e.reason, message: e.message }
      throw e
    }
  }

  /**
   * Secure aggregation: the cohort a joining device goes to, with the parameters the cohort
   * Durable Object runs with (docs/SECAGG.md).
   */
  async secureJoin(roundId: number, vectorLength: number): Promise<{ ok: true; init: CohortInit } | { ok: false; status: 409 | 422; reason: string; message: string }> {
    const cfg = this.round.config
    if (!cfg.secureAggregation) return { ok: false, status: 409, reason: 'not_secure', message: 'this round takes plain updates at /v1/updates' }
    if (roundId !== cfg.roundId) return { ok: false, status: 409, reason: RejectReason.RoundClosed, message: `round ${roundId} is not open (open round: ${cfg.roundId})` }
    if (vectorLength !== this.model.weights.length) return { ok: false, status: 422, reason: RejectReason.ShapeMismatch, message: `the model has ${this.model.weights.length} parameters, not ${vectorLength}` }
    const round = { ...cfg, secureAggregation: cfg.secureAggregation }
    const cohort = assignCohort(this.sql, cfg.roundId, cfg.secureAggregation.cohortSize)
    return { ok: true, init: { round, cohort, vectorLength, scale: cohortScale(round) } }
  }

  /** A cohort refused a device because it had started: later devices go to the next cohort. */
  async secureCohortStarted(roundId: number, cohort: number): Promise<void> {
    cohortStarted(this.sql, roundId, cohort)
  }

  /**
   * A cohort's unmasked sum: folded into the round as `included` updates (persisted first), and
   * the round publishes once the expected number of clients is in, like plain updates.
   */
  async submitCohortSum(s: CohortSum): Promise<{ ok: true; published: number | null } | { ok: false; message: string }> {
    const cfg = this.round.config
    if (s.roundId !== cfg.roundId || s.modelVersion !== cfg.modelVersion) return { ok: false, message: `round ${s.roundId} on model ${s.modelVersion} is closed` }
    if (hasCohortSum(this.sql, s.roundId, s.cohort)) return { ok: false, message: `cohort ${s.cohort} already delivered its sum` }
    const sum = new Float64Array(s.sum.slice().buffer)
    if (sum.length !== this.model.weights.length || !sum.every(Number.isFinite)) return { ok: false, message: 'the sum does not fit the model' }
    this.ctx.storage.transactionSync(() => putCohortSum(this.sql, s))
    this.sum.addSum(sum, s.included)
    return { ok: true, published: this.sum.count >= cfg.expectedClients ? this.close('published') : null }
  }

  /**
   * Closes the open round: publishes w + η·ΣΔ/n_expected when at least minClients updates
   * arrived, abandons it otherwise, and opens the next round. One transaction, so a crash
   * leaves either the old round open with all its updates or the new model published.
   * @returns the published version, or null when abandoned
   */
  private close(outcome: 'published' | 'abandoned'): number | null {
    const cfg = this.round.config
    const publish = outcome === 'published' && this.sum.count >= cfg.minClients
    let next: ModelBundle | null = null
    let nextBytes: Uint8Array | null = null
    const step = { ...this.settings.serverStep, expectedClients: cfg.expectedClients, serverLearningRate: cfg.serverLearningRate }
    let adam = step.optimizer === ServerOptimizer.FedAdam ? loadAdamState(this.sql) : null
    // Adaptive clipping: b̄ from the round's noised bits moves C for the next round, but only when
    // the round publishes (an abandoned round's updates, bits included, are dropped unused).
    let fraction: number | null = null
    let clipNext = this.clipNorm
    if (publish) {
      const out = serverStep(this.model.weights, aggregateRound(this.sql, cfg.roundId, this.sum, this.guard), step, adam)
      adam = out.state
      next = { version: this.model.version + 1, description: this.model.description, weights: out.weights }
      nextBytes = encodeModel(next)
      if (cfg.adaptiveClipping) {
        fraction = unclippedFraction(sumClipBits(this.sql, cfg.roundId), cfg.expectedClients)
        clipNext = nextClipNorm(cfg.clipNorm, fraction, cfg.adaptiveClipping)
      }
    }
    const entry: RoundLedgerEntry = {
      roundId: cfg.roundId,
      fromVersion: cfg.modelVersion,
      publishedVersion: next?.version ?? null,
      outcome: publish ? 'published' : 'abandoned',
      cohortSize: this.sum.count,
      expectedClients: cfg.expectedClients,
      minClients: cfg.minClients,
      sampleRate: cfg.sampleRate,
      noiseMultiplier: cfg.noiseMultiplier,
      clipNorm: cfg.clipNorm,
      noiseMode: cfg.noiseMode,
      openedAt: this.round.openedAt,
      closedAt: Date.now(),
      adaptiveClipping: cfg.adaptiveClipping ? { ...cfg.adaptiveClipping, unclippedFraction: fraction, nextClipNorm: clipNext } : null,
      serverOptimizer: step.optimizer,
      secureAggregation: cfg.secureAggregation ? secureLedger(this.sql, cfg.roundId, cfg.secureAggregation, cfg.noiseMultiplier, cfg.noiseMode === 'distributed') : null,
    }
    const privacy = modelPrivacy([...this.ledgerEntries(), entry], this.settings.targetDelta)
    const recorded: RoundLedgerEntry = { ...entry, epsilon: privacy.epsilon, delta: privacy.delta }
    this.ctx.storage.transactionSync(() => {
      if (next && nextBytes) {
        this.sql.exec('INSERT INTO model (version, created_at) VALUES (?, ?)', next.version, Date.now())
        putBlob(this.sql, 'model', next.version, 0, nextBytes)
        // Keep the previous version for devices mid-download; older ones go.
        for (const old of this.sql.exec<{ version: number }>('SELECT version FROM model WHERE version < ?', next.version - 1).toArray()) {
          deleteBlobs(this.sql, 'model', old.version)
          this.sql.exec('DELETE FROM model WHERE version = ?', old.version)
        }
      }
      this.sql.exec('INSERT INTO ledger (round_id, entry) VALUES (?, ?)', cfg.roundId, JSON.stringify(recorded))
      this.sql.exec("UPDATE round SET status = ? WHERE id = ?", entry.outcome, cfg.roundId)
      if (publish && step.optimizer === ServerOptimizer.FedAdam) saveAdamState(this.sql, adam)
      if (cfg.adaptiveClipping) saveClipNorm(this.sql, clipNext)
      this.clipNorm = clipNext
      deleteClipBits(this.sql, cfg.roundId)
      deleteRoundUpdates(this.sql, cfg.roundId)
      deleteSecureRound(this.sql, cfg.roundId)
      this.sql.exec('DELETE FROM round_update WHERE round_id = ?', cfg.roundId)
      if (next && nextBytes) {
        this.model = next
        this.modelBytes = nextBytes
        this.publishedBytes = this.publish(next, nextBytes)
      }
      this.openRound(cfg.roundId + 1)
    })
    void this.ctx.storage.setAlarm(this.round.config.deadline)
    return next?.version ?? null
  }

  /** Deadline: publish with what arrived if at least minClients did, abandon otherwise. */
  override async alarm(): Promise<void> {
    if (Date.now() < this.round.config.deadline) {
      await this.ctx.storage.setAlarm(this.round.config.deadline)
      return
    }
    this.close(this.sum.count >= this.round.config.minClients ? 'published' : 'abandoned')
  }
}
