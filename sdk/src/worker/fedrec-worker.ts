/** The worker side of the SDK: model cache, ranking without tfjs, on-device personalisation and backend choice, DP participation. */
import {
  clipBitField,
  encodeUpdate,
  encodingField,
  gatherSubset,
  NONCE_BYTES,
  rowSubsetError,
  uploadLayout,
  parseRoundConfig,
  privatizeInPlace,
  roundUpdateEncoding,
  type RoundConfig,
} from '../../../aggregator/src/index.js'
import type { StoredEvent } from '../core/ga4.js'
import { itemEmbeddings, recommend } from '../recommend/recommender.js'
import type { RecommendQuery, ScoredItem } from '../recommend/types.js'
import { listenForChanges } from '../store/change-channel.js'
import { KvKey, openEventStore, MemoryStore, type EventStore } from '../store/event-store.js'
import { apiFetch } from './api-fetch.js'
import { DevicePrivacy } from './device-privacy.js'
import type { DevicePrivacyLedger, SentPayload } from './privacy-types.js'
import { loadBackendChoice, saveBackendChoice } from './backend-choice.js'
import { BACKEND_ORDER, slowBackendWarning, type Backend, type BackendAttempt } from './backend-kinds.js'
import { HistoryCache, type DeviceHistory } from './history-cache.js'
import { ModelCache, type GlobalModel } from './model-cache.js'
import { PersonalModels } from './personal-model.js'
import { scorerFor, type Session, type SessionScorer } from './score-js.js'
import { UploadQueue, type UploadOutcome } from './upload-queue.js'
import { UploadRunner } from './upload-runner.js'
import { clearTraining, markTraining, reportInterruptedTraining } from './training-marker.js'
import { runSecureAggregation, type SecureRound } from './secure-aggregation.js'
import type { BackendInfo, ConsentState, ParticipationResult, RankResult, RecommendResult, WorkerApi, WorkerStarted, WorkerStartOptions } from './worker-api.js'

/** tfjs and the model code, loaded the first time the device trains (tf-runtime.ts). */
const runtime = () => import('./tf-runtime.js')

/**
 * How long the model in memory serves rankings before the server is asked again, in the
 * background (a participation asks too). Rounds publish a new model every few hours at most.
 */
export const MODEL_REVALIDATE_MS = 5 * 60 * 1000
/**
 * The first ranking of a worker waits this long at most for the start-up check of the cached
 * model, so a page opened after a new model was published ranks with it; a slow or unreachable
 * server leaves the cached model in use. No later ranking waits for the network.
 */
export const FIRST_RANK_WAIT_MS = 2000

/** One set of weights ready to score with: the scorer, the last session vector, the item vectors. */
class ScoringState {
  readonly scorer: SessionScorer
  private context: readonly number[] | null = null
  private session: Session | null = null
  private items: { embeddings: Float32Array; dim: number } | null = null

  constructor(
    readonly model: GlobalModel,
    readonly weights: Float32Array,
  ) {
    this.scorer = scorerFor(model, weights)
  }

  /** The session after `context`; the same context array is encoded once. */
  sessionOf(context: readonly number[]): Session {
    if (this.context !== context || !this.session) {
      this.session = this.scorer.session(context)
      this.context = context
    }
    return this.session
  }

  /** Every item's table vector, for the recommender's similarities (a compact table's rows summed). */
  embeddings(): { embeddings: Float32Array; dim: number } {
    this.items ??= itemEmbeddings(this.model.bundle.description.layout, this.weights, this.scorer.cfg)
    return this.items
  }
}

/** 'queued': the update is in the upload queue; the device trains no second update for the round. */
type RoundDecision = 'sent' | 'queued' | 'not_sampled' | 'sampled'

/**
 * Implements {@link WorkerApi}. Training runs one at a time (`exclusive`); ranking needs no tfjs
 * (score-js.ts) and reads the model, the history and the personal model cached in memory, so it
 * does not wait for a training run.
 */
export class FedrecWorker implements WorkerApi {
  private store: EventStore = new MemoryStore()
  private privacy = new DevicePrivacy(this.store)
  private cache: ModelCache | null = null
  /** The start-up check of the cached model, until the first ranking has waited for it. */
  private startCheck: Promise<unknown> | null = null
  private history = new HistoryCache(this.store)
  private personal = new PersonalModels(this.store, (model, sessions) => this.fineTune(model, sessions))
  private scoring: ScoringState | null = null
  private backend: Backend | null = null
  private backendReady: Promise<Backend> | null = null
  private backendOrder: readonly Backend[] = BACKEND_ORDER
  private backendAttempts: BackendAttempt[] = []
  private wasmBase = ''
  private apiBase = '/'
  private queue: Promise<unknown> = Promise.resolve()
  private uploads: UploadRunner | null = null

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  async start(opts: WorkerStartOptions): Promise<WorkerStarted> {
    this.apiBase = opts.apiBase
    // Where the page keeps its data in memory (no IndexedDB), it hands the events over (`ingest`).
    if (opts.storage !== 'memory') {
      try {
        this.store = await openEventStore()
      } catch (e) {
        // The page has already warned about it (it opens the same database first).
        console.info('[fedrec] IndexedDB unavailable in the worker; keeping data in memory', e)
      }
    }
    this.privacy = new DevicePrivacy(this.store, opts.privacy)
    this.history = new HistoryCache(this.store)
    this.personal = new PersonalModels(this.store, (model, sessions) => this.fineTune(model, sessions))
    this.uploads = new UploadRunner(
      new UploadQueue(this.store, (body) => apiFetch(this.apiBase, 'v1/updates', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream' } })),
      (o) => this.uploadSettled(o),
    )
    this.uploads.resume()
    await reportInterruptedTraining(this.store)
    this.backendOrder = opts.backends ?? BACKEND_ORDER
    this.wasmBase = opts.wasmBase
    this.cache = new ModelCache(this.store, this.apiBase)
    // With a model cached the worker is ready at once and checks it in the background; a first
    // visit has to fetch it.
    let model = await this.cache.load()
    const check = this.cache.sync()
    if (model) this.startCheck = check.catch(() => undefined)
    else model = await check
    await this.personal.load()
    listenForChanges((change) => {
      if (change === 'erased') this.personal.drop()
      this.history.invalidate()
    })
    return { backend: this.backend, attempts: this.backendAttempts, modelVersion: model?.bundle.version ?? null }
  }

  async dropPersonalModel(): Promise<void> {
    this.personal.drop()
    this.history.invalidate()
  }

  async eventsChanged(): Promise<void> {
    this.history.invalidate()
  }

  /** The page's whole history, where the page has no IndexedDB (memory mode): replaces the copy. */
  async ingest(events: readonly StoredEvent[]): Promise<void> {
    await this.store.clearEvents()
    await this.store.addEvents(events)
    this.history.invalidate()
  }

  /** Loads tfjs and picks the backend, once, the first time training needs it. */
  private ensureBackend(): Promise<Backend> {
    this.backendReady ??= (async () => {
      const choice = await loadBackendChoice(this.store, this.backendOrder)
      const { selectBackend } = await runtime()
      const { backend, attempts, probed } = await selectBackend(this.backendOrder, this.wasmBase, choice?.backend)
      this.backend = backend
      // A choice made on an earlier page: report the attempts of the probe that made it.
      this.backendAttempts.push(...(probed ? attempts : [...(choice?.attempts ?? []), ...attempts]))
      if (probed) await saveBackendChoice(this.store, { order: this.backendOrder, backend, attempts, at: Date.now() })
      const slow = slowBackendWarning(backend, this.backendAttempts)
      if (slow) console.warn(slow)
      else console.info(`[fedrec] training backend: ${backend}${probed ? '' : ' (chosen on an earlier page)'}`)
      return backend
    })()
    this.backendReady.catch(() => {
      this.backendReady = null
    })
    return this.backendReady
  }

  async backendInfo(): Promise<BackendInfo> {
    try {
      await this.ensureBackend()
    } catch {
      // reported through the attempts
    }
    return { backend: this.backend, attempts: this.backendAttempts }
  }

  /**
   * Runs tfjs work; if the backend fails mid-way (a GPU driver limit, a lost device), moves to
   * the next backend of the order and tries once more, so the shopper's page is unaffected.
   */
  private async onBackend<T>(what: string, fn: () => Promise<T>): Promise<T> {
    await this.ensureBackend()
    try {
      return await fn()
    } catch (e) {
      if (this.backend === null) throw e
      const rest = this.backendOrder.slice(this.backendOrder.indexOf(this.backend) + 1)
      if (rest.length === 0) throw e
      const reason = e instanceof Error ? e.message : String(e)
      console.warn(`[fedrec] ${what} failed on ${this.backend} (${reason}); trying ${rest.join(' → ')}`)
      this.backendAttempts.push({ backend: this.backend, ok: false, error: `${what}: ${reason}` })
      const { selectBackend } = await runtime()
      const { backend, attempts } = await selectBackend(rest, this.wasmBase)
      this.backend = backend
      this.backendAttempts.push(...attempts)
      await saveBackendChoice(this.store, { order: this.backendOrder, backend, attempts: this.backendAttempts, at: Date.now() })
      console.info(`[fedrec] training backend: ${backend}`)
      return fn()
    }
  }

  /** A personal fine-tune, in turn with participations (one tfjs run at a time). */
  private fineTune(model: GlobalModel, sessions: readonly number[][]): Promise<Float32Array> {
    return this.exclusive(() =>
      this.onBackend('personalisation', async () => {
        const { weights, examples, lossRatio } = await (await runtime()).fineTunePersonal(model, sessions)
        const fit = Number.isNaN(lossRatio) ? '' : `; the global model's loss on them is ${lossRatio.toFixed(3)} of chance`
        console.info(`[fedrec] personal fine-tune of model ${model.bundle.version} on ${examples} examples${fit}`)
        return weights
      }),
    )
  }

  /**
   * The model to rank with: the one in memory, checked with the server in the background every
   * {@link MODEL_REVALIDATE_MS}. Only a worker's first ranking waits, briefly, for its start-up check.
   */
  private async rankingModel(): Promise<GlobalModel | null> {
    if (!this.cache) return null
    const check = this.startCheck
    if (check) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([check, new Promise((ok) => (timer = setTimeout(ok, FIRST_RANK_WAIT_MS)))])
      clearTimeout(timer)
      this.startCheck = null
    }
    return this.cache.latest(MODEL_REVALIDATE_MS)
  }

  /** The model and history of now, for a background fine-tune. */
  private async latest(): Promise<{ model: GlobalModel; history: DeviceHistory } | null> {
    const model = this.cache?.latest(MODEL_REVALIDATE_MS) ?? null
    return model && { model, history: await this.history.get(model) }
  }

  /** The weights to score with: the personal model where there is one (personal-model.ts). */
  private async weightsFor(model: GlobalModel, history: DeviceHistory): Promise<{ weights: Float32Array; personalized: boolean }> {
    const personal = await this.personal.weightsFor(model, history, () => this.latest())
    return { weights: personal ?? model.bundle.weights, personalized: personal !== null }
  }

  /** The scorer over `weights` with what it computed, kept while the model and weights stay. */
  private scoringFor(model: GlobalModel, weights: Float32Array): ScoringState {
    if (this.scoring?.model !== model || this.scoring.weights !== weights) this.scoring = new ScoringState(model, weights)
    return this.scoring
  }

  /** The scorer over `weights` and its session vector for `context`, both kept for the next call. */
  private session(model: GlobalModel, weights: Float32Array, context: readonly number[]): { scorer: SessionScorer; session: Session } {
    const s = this.scoringFor(model, weights)
    return { scorer: s.scorer, session: s.sessionOf(context) }
  }

  async rank(itemIds: readonly string[]): Promise<RankResult> {
    if (!Array.isArray(itemIds) || !itemIds.every((id) => typeof id === 'string')) throw new TypeError('rank() takes an array of item id strings')
    const model = await this.rankingModel()
    if (!model) return { scores: itemIds.map(() => null), modelVersion: null, personalized: false, backend: this.backend }
    const history = await this.history.get(model)
    const rows = itemIds.map((id) => model.vocab.get(id))
    if (history.context.length === 0) {
      // Cold start: no history on this device, so rank by the published popularity.
      const pop = model.bundle.description.popularity
      return { scores: rows.map((i) => (i === undefined ? null : pop?.[i - 1] ?? 0)), modelVersion: model.bundle.version, personalized: false, backend: this.backend }
    }
    const { weights, personalized } = await this.weightsFor(model, history)
    const { scorer, session } = this.session(model, weights, history.context)
    return { scores: rows.map((i) => (i === undefined ? null : scorer.score(session, i))), modelVersion: model.bundle.version, personalized, backend: this.backend }
  }

  /**
   * One recommendation list with explanations (sdk/src/recommend/). The model scores only the
   * lists that need it (`for_you` with history, `bought_together`), and only the items the list
   * can hold; the others read the published catalogue data and the history.
   */
  async recommend(q: RecommendQuery): Promise<RecommendResult> {
    const model = await this.rankingModel()
    if (!model) {
      // No model yet (first visit, API unreachable): the page's candidates in the page's order,
      // and the history's own lists.
      const items: ScoredItem[] = recommend({ model: { vocab: [], rowOf: new Map(), embeddings: new Float32Array(0), dim: 0 }, events: await this.store.events(), scores: null }, q)
      return { items, modelVersion: null, personalized: false }
    }
    const history = await this.history.get(model)
    const anchors = (q.itemIds ?? []).map((id) => model.vocab.get(id)).filter((r): r is number => r !== undefined)
    const context = q.type === 'for_you' ? history.context : q.type === 'bought_together' ? anchors : []
    const { weights, personalized } = q.type === 'for_you' && context.length > 0 ? await this.weightsFor(model, history) : { weights: model.bundle.weights, personalized: false }
    let scores: Float32Array | null = null
    if (context.length > 0) {
      const { scorer, session } = this.session(model, weights, context)
      scores = new Float32Array(model.vocab.size + 1)
      const rows = q.among ? q.among.map((id) => model.vocab.get(id)) : model.vocab.values()
      for (const row of rows) if (row !== undefined) scores[row] = scorer.score(session, row)
    }
    const vocab = model.bundle.description.vocab
    const catalog = { vocab, rowOf: model.vocab, categories: model.bundle.description.categories, popularity: model.bundle.description.popularity, ...this.scoringFor(model, weights).embeddings() }
    return { items: recommend({ model: catalog, events: history.events, scores }, q), modelVersion: model.bundle.version, personalized }
  }

  /** Secure runs in flight, per round: a second call joins the first instead of a second cohort slot. */
  private secureRuns = new Map<number, Promise<ParticipationResult>>()

  async participate(consent: ConsentState): Promise<ParticipationResult> {
    // A secure round waits for the rest of its cohort: that part runs outside the training lock,
    // so ranking is not held up meanwhile.
    const r = await this.exclusive(() => this.participateNow(consent))
    return 'secure' in r ? r.secure : r
  }

  private async participateNow(consent: ConsentState): Promise<ParticipationResult | { secure: Promise<ParticipationResult> }> {
    if (consent !== 'granted') return { status: 'skipped', reason: 'consent', detail: `consent is ${consent}` }
    let round: RoundConfig
    try {
      const res = await apiFetch(this.apiBase, 'v1/round')
      if (!res.ok) return { status: 'skipped', reason: 'offline', detail: `GET /v1/round answered ${res.status}` }
      const parsed = parseRoundConfig(await res.json())
      if (!parsed.ok) return { status: 'skipped', reason: 'rejected', detail: `GET /v1/round announced an invalid round: ${parsed.error}` }
      round = parsed.round
    } catch (e) {
      return { status: 'skipped', reason: 'offline', detail: String(e) }
    }
    const decisions = (await this.store.get<Record<string, RoundDecision>>(KvKey.RoundDecisions)) ?? {}
    const decided = decisions[round.roundId]
    const running = this.secureRuns.get(round.roundId)
    if (running) return { secure: running }
    if (decided === 'sent' || decided === 'queued' || decided === 'not_sampled') return { status: 'skipped', reason: 'already_decided', roundId: round.roundId, detail: decided }
    if (decided === undefined) {
      const refusal = await this.privacy.gate(round)
      if (refusal) return { status: 'skipped', reason: refusal.reason, roundId: round.roundId, detail: refusal.detail }
      // Each device flips its own coin with the platform CSPRNG, so the server cannot choose who
      // takes part and the accountant's Poisson-sampling assumption holds.
      const coin = crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32
      const sampled = coin < round.sampleRate
      await this.decide(decisions, round.roundId, sampled ? 'sampled' : 'not_sampled')
      await this.privacy.recordDraw(round, sampled)
      if (!sampled) return { status: 'skipped', reason: 'not_sampled', roundId: round.roundId }
    }
    const model = this.cache ? await this.cache.sync() : null
    if (!model || model.bundle.version !== round.modelVersion) {
      return { status: 'skipped', reason: 'no_model', roundId: round.roundId, detail: `have model ${model?.bundle.version ?? 'none'}, round trains ${round.modelVersion}` }
    }
    // A row-subset round's update carries only the announced rows of the item table.
    const layout = model.bundle.description.layout
    const subsetError = round.rowSubset ? rowSubsetError(layout, round.rowSubset) : null
    if (subsetError) return { status: 'skipped', reason: 'rejected', roundId: round.roundId, detail: `GET /v1/round announced rows that model ${model.bundle.version} does not have: ${subsetError}` }
    const history = await this.history.get(model)
    const { sessions } = history
    if (sessions.every((s) => s.length < 2)) return { status: 'skipped', reason: 'no_history', roundId: round.roundId }
    // The weights trained here may become the personal model, unless the history is erased meanwhile.
    const personalEpoch = this.personal.generation
    const t0 = performance.now()
    await markTraining(this.store, round.roundId)
    const { weights } = await this.onBackend('training', async () => (await runtime()).trainLocal(model, sessions)).finally(() => clearTraining(this.store))
    const trainMs = performance.now() - t0
    // A small catalogue's personal model trains over the full softmax (personalTrainOptions): there the
    // next ranking fine-tunes it instead.
    const asPersonal = (await runtime()).updateIsPersonal(model)
    const keepPersonal = async (w: Float32Array) => {
      if (asPersonal) await this.personal.save({ baseVersion: model.bundle.version, historyKey: history.key, weights: w }, personalEpoch)
    }
    // The weights the device downloaded and trained from (dequantised when the model travels as
    // int8 rows): the delta is measured from them, so the server's mean delta is the mean step.
    const global = model.bundle.weights
    const whole = new Float32Array(weights.length)
    for (let i = 0; i < whole.length; i++) whole[i] = weights[i]! - global[i]!
    // Clipped and noised is what travels: the round's rows (all of them unless it names a subset).
    const delta = gatherSubset(whole, layout, round.rowSubset)
    const report = privatizeInPlace(delta, round)
    // Quantised (when the round asks) only now, after clipping and noise: post-processing of the
    // DP release, with stochastic rounding drawn from crypto.getRandomValues (docs/PRIVACY.md).
    const body = encodeUpdate({
      modelVersion: round.modelVersion,
      roundId: round.roundId,
      clipNorm: round.clipNorm,
      noiseMultiplier: round.noiseMultiplier,
      noiseMode: round.noiseMode,
      nonce: crypto.getRandomValues(new Uint8Array(NONCE_BYTES)),
      shapes: uploadLayout(layout, round.rowSubset).map((t) => t.shape),
      data: delta,
      ...clipBitField(round, report),
      ...encodingField(roundUpdateEncoding(round)),
    })
    if (round.secureAggregation) {
      // The update goes out only masked, through a cohort; `body` stays on the device as its record.
      const run = this.participateSecurely(round as SecureRound, delta, body, { trainMs, noiseStd: report.noiseStd, clipped: report.clipped }, async () => {
        await this.decide(decisions, round.roundId, 'sent')
        await keepPersonal(weights)
      }).finally(() => this.secureRuns.delete(round.roundId))
      this.secureRuns.set(round.roundId, run)
      return { secure: run }
    }
    await this.decide(decisions, round.roundId, 'queued')
    const outcome = await this.uploads!.submit(round, body)
    if (outcome.status === 'retrying') return { status: 'skipped', reason: 'offline', roundId: round.roundId, detail: `queued; retry in ${Math.round(outcome.delayMs / 1000)} s (${outcome.detail})` }
    if (outcome.status === 'discarded') return { status: 'skipped', reason: 'rejected', roundId: round.roundId, detail: outcome.detail }
    await this.decide(decisions, round.roundId, 'sent')
    await this.privacy.recordSent(round, body)
    await keepPersonal(weights)
    return {
      status: 'sent',
      roundId: round.roundId,
      modelVersion: round.modelVersion,
      bytes: body.length,
      clipNorm: round.clipNorm,
      noiseMultiplier: round.noiseMultiplier,
      noiseStd: report.noiseStd,
      clipped: report.clipped,
      backend: this.backend!,
      trainMs,
    }
  }

  /**
   * Sends the privatised delta through a secure-aggregation cohort (docs/SECAGG.md). Counts as
   * sent only when the cohort's sum, with this device's input in it, was delivered; an abandoned
   * run revealed nothing and leaves the round open to this device.
   */
  private async participateSecurely(
    round: SecureRound,
    delta: Float32Array,
    record: Uint8Array,
    done: { readonly trainMs: number; readonly noiseStd: number; readonly clipped: boolean },
    onSent: () => Promise<void>,
  ): Promise<ParticipationResult> {
    const report = await runSecureAggregation((path, init) => apiFetch(this.apiBase, path, init), round, delta)
    if (report.status !== 'delivered') return { status: 'skipped', reason: 'secure_abandoned', roundId: round.roundId, detail: `${report.cohort ?? 'no cohort'}: ${report.reason ?? ''}` }
    // The device keeps the update it masked, in the plain payload format, so the shopper and an
    // auditor can inspect what went into the cohort's sum (it never left the device unmasked).
    await this.privacy.recordSent(round, record)
    await onSent()
    return {
      status: 'sent',
      roundId: round.roundId,
      modelVersion: round.modelVersion,
      bytes: report.bytesSent,
      clipNorm: round.clipNorm,
      noiseMultiplier: round.noiseMultiplier,
      noiseStd: done.noiseStd,
      clipped: done.clipped,
      // Trained just before (the training ran on the backend it selected).
      backend: this.backend!,
      trainMs: done.trainMs,
      secureAggregation: { cohort: report.cohort!, included: report.included ?? 0 },
    }
  }

  /** A queued update delivered or dropped by a background retry. */
  private async uploadSettled(o: UploadOutcome): Promise<void> {
    const { round, body } = o.upload
    if (o.status === 'sent') {
      const decisions = (await this.store.get<Record<string, RoundDecision>>(KvKey.RoundDecisions)) ?? {}
      await this.decide(decisions, round.roundId, 'sent')
      await this.privacy.recordSent(round, body)
    } else if (o.status === 'discarded') {
      console.info(`[fedrec] update for round ${round.roundId} discarded: ${o.detail}`)
    }
  }

  private async decide(decisions: Record<string, RoundDecision>, roundId: number, d: RoundDecision): Promise<void> {
    decisions[roundId] = d
    const keep = Object.keys(decisions).map(Number).sort((a, b) => b - a).slice(0, 50)
    await this.store.set(KvKey.RoundDecisions, Object.fromEntries(keep.map((k) => [k, decisions[k]!])))
  }

  privacyLedger(): Promise<DevicePrivacyLedger> {
    return this.privacy.ledger()
  }

  sentPayloads(): Promise<SentPayload[]> {
    return this.privacy.sentPayloads()
  }
}
