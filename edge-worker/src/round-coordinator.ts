/**
 * The Durable Object that owns the global model and the open round: accepts updates, persists
 * each before acknowledging it, and publishes the FedAvg result when the round closes.
 */
import { DurableObject } from 'cloudflare:workers'
import {
  clientNoiseStd,
  decodeModel,
  decodeUpdate,
  encodeModel,
  ModelEncoding,
  modelEncodingFor,
  modelPrivacy,
  roundUpdateEncodingFor,
  nextClipNorm,
  PayloadRejectedError,
  RejectReason,
  RobustAggregation,
  RoundSum,
  rowSubsetForRound,
  rowSubsetPlan,
  scatterSubset,
  serverLearningRateAt,
  serverStep,
  layoutSize,
  uploadLayout,
  ServerOptimizer,
  unclippedFraction,
  validateUpdate,
  type ModelBundle,
  type ModelPrivacy,
  type RoundConfig,
  type RoundLedgerEntry,
  type RowSubsetRound,
  type UpdateEncoding,
  type UpdatePayload,
  modelRowScales,
  noiseCappedMaxScale,
  scaleRowsInPlace,
  type ModelRowScales,
} from '../../aggregator/src/index.js'
import { BLOB_SCHEMA, deleteBlobs, getBlob, putBlob } from './blob-table.js'
import { roundSettings, type Env, type RoundSettings } from './env.js'
import { guardSettings, type GuardSettings } from './guard-settings.js'
import { aggregateRound, deleteRoundUpdates, loadRoundUpdates, UPDATE_BLOB } from './round-aggregate.js'
import { CHECKPOINT_SCHEMA, checkpointPays, deleteCheckpoint, loadCheckpoint, saveCheckpoint } from './sum-checkpoint.js'
import type { CohortInit } from './secagg-cohort.js'
import { assignCohort, cohortStarted, deleteSecureRound, hasCohortSum, loadCohortSums, putCohortSum, SECAGG_SCHEMA, secureLedger, type CohortSum } from './secagg-store.js'
import { cohortScale } from '../../aggregator/src/secagg/index.js'
import { addClipBit, deleteClipBits, loadClipNorm, loadOptimizerState, saveOptimizerState, saveClipNorm, SERVER_STATE_SCHEMA, sumClipBits } from './server-state.js'

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

/** An accepted update waiting for its batch to be stored; its 202 waits too. */
interface PendingUpdate {
  readonly update: UpdatePayload
  readonly bytes: Uint8Array
  readonly settle: (result: SubmitResult) => void
  readonly fail: (error: unknown) => void
}

/**
 * How long the first update of a batch waits for others before the batch is stored, and the
 * most a batch holds: a few milliseconds of latency buy one transaction (and, from three
 * updates on, one checkpoint) for every update that arrived meanwhile.
 */
const BATCH_WAIT_MS = 4
const BATCH_MAX_UPDATES = 64
const BATCH_MAX_BYTES = 16 << 20

/** A nonce as a Map key. */
const nonceKey = (nonce: Uint8Array): string => Array.from(nonce, (b) => b.toString(16).padStart(2, '0')).join('')

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
  /** Accepted updates of the open round stored as payloads, not (yet) in a checkpoint. */
  private loosePayloads = 0
  private pending: PendingUpdate[] = []
  private pendingBytes = 0
  private pendingNonces = new Set<string>()
  private batchTimer: ReturnType<typeof setTimeout> | null = null
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
    for (const ddl of [...SERVER_STATE_SCHEMA, ...SECAGG_SCHEMA, CHECKPOINT_SCHEMA]) this.sql.exec(ddl)
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
    // Rebuild the running sum from what is stored: the last checkpoint, the payloads stored after
    // it and the cohort sums. Everything acknowledged is in exactly one of them.
    this.sum = new RoundSum(this.updateSize())
    const checkpoint = loadCheckpoint(this.sql, this.round.config.roundId)
    if (checkpoint) this.sum.addSum(checkpoint.sum, checkpoint.count)
    const loose = loadRoundUpdates(this.sql, this.round.config.roundId)
    for (const update of loose) this.sum.add(update)
    this.loosePayloads = loose.length
    for (const c of loadCohortSums(this.sql, this.round.config.roundId)) this.sum.addSum(c.sum, c.included)
    await this.ctx.storage.setAlarm(this.round.config.deadline)
  }

  /**
   * The bundle devices download. Quantised by default (int8 rows; the item table in int4 rows past
   * INT8_MODEL_MAX_PARAMS parameters, `modelEncodingFor`): devices train from the
   * dequantised weights and send Δ = w_local − q(w). The server adds their mean to its float32
   * master w, so FedAvg stays unbiased up to the rounding of the starting point, |q(w) − w| ≤ half
   * a row step, which does not accumulate: every round quantises the master afresh.
   */
  private publish(model: ModelBundle, masterBytes: Uint8Array): Uint8Array {
    const encoding = this.settings.modelEncoding ?? modelEncodingFor(model.description.layout)
    return encoding === ModelEncoding.Float32 ? masterBytes : encodeModel(model, { encoding })
  }

  /** Values one update of the open round carries: the model's, or its announced rows' only. */
  private updateSize(): number {
    return layoutSize(uploadLayout(this.model.description.layout, this.round.config.rowSubset))
  }

  /**
   * The rows round `id` trains: every row (null) when a whole update fits the upload budget at
   * the encoding plain updates use, else as many as fit, the window moved on by the round id
   * alone (aggregator/src/row-subset.ts). Secure-aggregation rounds take the same subset as a
   * plain round would, whatever their own encoding.
   */
  /**
   * The item table's per-row scales for a round's step (aggregator/src/row-scale.ts): capped so
   * that no row's step carries more than the tolerated noise; null for plain FedAvg.
   */
  private rowScalesFor(cfg: RoundConfig): ModelRowScales | null {
    const set = this.settings.rowScale
    if (!set) return null
    const maxScale = noiseCappedMaxScale(set.maxScale, {
      sumNoiseStd: clientNoiseStd(cfg) * Math.sqrt(cfg.expectedClients),
      // The peak η, not the round's: the scales stay put while η decays, and so does the cap.
      serverLearningRate: this.settings.serverLearningRate,
      expectedClients: cfg.expectedClients,
      noiseTolerance: set.noiseTolerance,
    })
    return modelRowScales(this.model.description, { ...set, maxScale })
  }

  private rowSubsetFor(id: number, encoding: UpdateEncoding): RowSubsetRound | null {
    const s = this.settings
    if (!s.rowSubset) return null
    const layout = this.model.description.layout
    const sized = s.secureAggregation ? roundUpdateEncodingFor(null, layout.map((t) => t.shape), s.uploadBudgetBytes) : encoding
    const plan = rowSubsetPlan(layout, sized, { hotShare: s.rowSubset.hotShare, budget: s.uploadBudgetBytes })
    return plan && rowSubsetForRound(layout, plan, id - 1)
  }

  private openRound(id: number): void {
    const s = this.settings
    const now = Date.now()
    const updateEncoding = roundUpdateEncodingFor(s.updateEncoding, this.model.description.layout.map((t) => t.shape), s.uploadBudgetBytes)
    const rowSubset = this.rowSubsetFor(id, updateEncoding)
    const config: RoundConfig = {
      roundId: id,
      modelVersion: this.model.version,
      clipNorm: this.clipNorm,
      noiseMultiplier: s.noiseMultiplier,
      noiseMode: s.noiseMode,
      minClients: s.minClients,
      expectedClients: s.expectedClients,
      serverLearningRate: serverLearningRateAt(s.serverLearningRate, id - 1, s.serverLrSchedule),
      sampleRate: s.sampleRate,
      deadline: now + s.roundSeconds * 1000,
      adaptiveClipping: s.adaptiveClipping,
      secureAggregation: s.secureAggregation,
      updateEncoding,
      ...(rowSubset ? { rowSubset } : {}),
    }
    this.sql.exec("INSERT INTO round (id, config, opened_at, status) VALUES (?, ?, ?, 'open')", id, JSON.stringify(config), now)
    this.round = { config, openedAt: now }
    this.sum = new RoundSum(this.updateSize())
    this.loosePayloads = 0
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
   * Validates one update and answers once it is stored: updates that arrive together are stored
   * as one batch (`storeBatch`), so an update that got a 2xx survives a restart. A replayed nonce
   * is refused, whether its first copy is stored or still waiting in the batch.
   */
  async submit(body: ArrayBuffer): Promise<SubmitResult> {
    try {
      if (this.round.config.secureAggregation) throw new PayloadRejectedError(RejectReason.ParameterMismatch, 'this round aggregates securely: take part through /v1/secagg/join', 422)
      const bytes = new Uint8Array(body)
      const update = decodeUpdate(bytes)
      validateUpdate(update, this.round.config, this.model.description.layout, this.guard)
      const nonce = nonceKey(update.nonce)
      if (this.pendingNonces.has(nonce) || this.sql.exec('SELECT 1 FROM round_update WHERE nonce = ?', update.nonce.slice().buffer).toArray().length > 0) {
        throw new PayloadRejectedError(RejectReason.Replay, 'this payload was already accepted', 409)
      }
      return await new Promise<SubmitResult>((settle, fail) => {
        this.pending.push({ update, bytes, settle, fail })
        this.pendingBytes += bytes.byteLength
        this.pendingNonces.add(nonce)
        // The update that fills the round, or a full batch, is stored now; otherwise the batch
        // waits a moment for the updates arriving meanwhile.
        const fills = this.sum.count + this.pending.length >= this.round.config.expectedClients
        if (fills || this.pending.length >= BATCH_MAX_UPDATES || this.pendingBytes >= BATCH_MAX_BYTES) this.storeBatch()
        else this.batchTimer ??= setTimeout(() => this.storeBatch(), BATCH_WAIT_MS)
      })
    } catch (e) {
      if (e instanceof PayloadRejectedError) return { ok: false, status: e.status, reason: e.reason, message: e.message }
      throw e
    }
  }

  /**
   * Stores the waiting updates of the open round in one transaction: their nonce rows and clip
   * bits, and either their payloads or a checkpoint of the running sum that covers them and
   * every payload stored before (which it then deletes). Only after the commit are they counted
   * and answered; a failed transaction answers them all with the error and counts none.
   */
  private storeBatch(): void {
    if (this.batchTimer !== null) clearTimeout(this.batchTimer)
    this.batchTimer = null
    const batch = this.pending
    this.pending = []
    this.pendingBytes = 0
    this.pendingNonces = new Set()
    if (batch.length === 0) return
    const roundId = this.round.config.roundId
    const first = this.sum.count
    const checkpoint = checkpointPays({ batch: batch.length, loose: this.loosePayloads, keepEveryUpdate: this.guard.robust !== RobustAggregation.None })
    let next: RoundSum | null = null
    try {
      if (checkpoint) {
        next = this.sum.clone()
        for (const p of batch) next.add(p.update.data)
      }
      this.ctx.storage.transactionSync(() => {
        const now = Date.now()
        batch.forEach((p, i) => {
          const seq = first + i
          this.sql.exec('INSERT INTO round_update (round_id, seq, nonce, received_at) VALUES (?, ?, ?, ?)', roundId, seq, p.update.nonce.slice().buffer, now)
          if (!checkpoint) putBlob(this.sql, UPDATE_BLOB, roundId, seq, p.bytes)
          if (p.update.clipBit) addClipBit(this.sql, roundId, seq, p.update.clipBit.value)
        })
        if (next) {
          saveCheckpoint(this.sql, roundId, next.sum, next.count)
          deleteRoundUpdates(this.sql, roundId)
        }
      })
    } catch (e) {
      for (const p of batch) p.fail(e)
      return
    }
    if (next) {
      this.sum = next
      this.loosePayloads = 0
    } else {
      for (const p of batch) this.sum.add(p.update.data)
      this.loosePayloads += batch.length
    }
    let published: number | null
    try {
      published = this.sum.count >= this.round.config.expectedClients ? this.close('published') : null
    } catch (e) {
      // Stored and counted, but the round failed to close: answer as a lone update did before.
      for (const p of batch) p.fail(e)
      return
    }
    batch.forEach((p, i) => p.settle({ ok: true, roundId, received: first + i + 1, published: i === batch.length - 1 ? published : null }))
  }

  /**
   * Secure aggregation: the cohort a joining device goes to, with the parameters the cohort
   * Durable Object runs with (docs/SECAGG.md).
   */
  async secureJoin(roundId: number, vectorLength: number): Promise<{ ok: true; init: CohortInit } | { ok: false; status: 409 | 422; reason: string; message: string }> {
    const cfg = this.round.config
    if (!cfg.secureAggregation) return { ok: false, status: 409, reason: 'not_secure', message: 'this round takes plain updates at /v1/updates' }
    if (roundId !== cfg.roundId) return { ok: false, status: 409, reason: RejectReason.RoundClosed, message: `round ${roundId} is not open (open round: ${cfg.roundId})` }
    if (vectorLength !== this.sum.size) {
      const what = cfg.rowSubset ? "the round's rows of the model have" : 'the model has'
      return { ok: false, status: 422, reason: RejectReason.ShapeMismatch, message: `${what} ${this.sum.size} parameters, not ${vectorLength}` }
    }
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
    if (sum.length !== this.sum.size || !sum.every(Number.isFinite)) return { ok: false, message: "the sum does not fit the round's update" }
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
    let moments = step.optimizer === ServerOptimizer.FedAvg ? null : loadOptimizerState(this.sql)
    // Adaptive clipping: b̄ from the round's noised bits moves C for the next round, but only when
    // the round publishes (an abandoned round's updates, bits included, are dropped unused).
    let fraction: number | null = null
    let clipNext = this.clipNorm
    if (publish) {
      // A row-subset round's sum is put back in place; the rows it did not train get no delta.
      const sum = scatterSubset(aggregateRound(this.sql, cfg.roundId, this.sum, this.guard), this.model.description.layout, cfg.rowSubset)
      // FedSubAvg: each item row divided by the clients expected to touch it, not the cohort.
      const rows = this.rowScalesFor(cfg)
      if (rows) scaleRowsInPlace(sum, rows.offset, rows.width, rows.scales)
      const out = serverStep(this.model.weights, sum, step, moments)
      moments = out.state
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
      serverLearningRate: step.serverLearningRate,
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
      if (publish && step.optimizer !== ServerOptimizer.FedAvg) saveOptimizerState(this.sql, moments)
      if (cfg.adaptiveClipping) saveClipNorm(this.sql, clipNext)
      this.clipNorm = clipNext
      deleteClipBits(this.sql, cfg.roundId)
      deleteRoundUpdates(this.sql, cfg.roundId)
      deleteCheckpoint(this.sql, cfg.roundId)
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
    // Updates accepted before the deadline belong to this round: store them first (storing
    // them may itself fill and close the round).
    const roundId = this.round.config.roundId
    this.storeBatch()
    if (this.round.config.roundId !== roundId) return
    this.close(this.sum.count >= this.round.config.minClients ? 'published' : 'abandoned')
  }
}
