/**
 * `fedrec-federated` and `fedrec-dp-eps{1,4,8}`: simulated federated averaging of the browser's
 * session model over clients that each hold a few training sessions, with the aggregator's own
 * clipping, Gaussian noise, update quantisation, round config and fixed-denominator FedAvg, and
 * (for the DP runs) noise calibrated by the RDP accountant.
 */

import {
  clipInPlace,
  FEDADAM_DEFAULTS,
  FEDAVGM_DEFAULTS,
  ServerOptimizer,
  serverLearningRateAt,
  serverStep,
  type ServerOptimizerState,
  type ServerStepSettings,
  addGaussianNoise,
  dequantise,
  encodeUpdate,
  isQuantised,
  NoiseMode,
  quantise,
  UpdateEncoding,
  roundUpdateEncodingFor,
  RoundSum,
  seededRandomFill,
  clientNoiseStd,
  type RoundConfig,
  gatherSubset,
  layoutSize,
  ROW_SUBSET_DEFAULTS,
  rowSubsetForRound,
  rowSubsetPlan,
  scatterSubset,
  subsetRows,
  uploadLayout,
  noiseCappedMaxScale,
  ROW_SCALE_DEFAULTS,
  rowTouchScales,
  scaleRowsInPlace,
  FEDAVG_SERVER_LR,
} from '../../../aggregator/src/index.js'
import { computeEpsilon, computeNoiseMultiplier } from '../../../aggregator/src/accountant/index.js'
import { buildExamples, initWeights, mulberry32, modelLayout, OptimizerName, SessionModel } from '../../../sdk/src/model/index.js'
import { LOCAL_TRAIN } from '../../../sdk/src/worker/local-training.js'
import { carveValidation, type TrainData } from '../data.js'
import { evaluateCases } from '../evaluate.js'
import { checkParams, choiceParam, floatParam, intParam, ParamError } from '../params.js'
import type { FitInfo, FitOptions, RoundPoint } from '../recommender.js'
import { CENTRAL_DEFAULTS, downloadBytes, modelConfig, modelEncodingParam, publishedWeights, TABLE_PARAM_KEYS, tableParams } from './fedrec-central.js'
import { itemIndex, modelSessions, NeuralRecommender, trainEpochs, trainParams } from './neural.js'
import { checkCohortConfig, clippedCohortSum } from './cohort-gradients.js'
import { nodeTf } from './tf-node.js'

/**
 * The simulation's defaults. Partition: client c holds training sessions c·k … c·k + k − 1
 * (consecutive lines of train_sessions.txt, i.e. sessions close in time: a stand-in for one
 * shopper's visits, since the data has no user ids). Every round each client joins
 * independently with probability q = cohort / clients (Poisson sampling, what the accountant
 * assumes), trains locally from the global model, and sends its delta; the server sums the
 * deltas and divides by the EXPECTED cohort (McMahan et al. 2018). δ = 1e-6 as issue 3 asks
 * (below 1/clients on both data sets). Client size and local learning rate 0.01 (against 0.03,
 * 0.05) were picked on the held-out curve of the quick Diginetica subsample (12 rounds of 32
 * clients). The server learning rates were picked on the held-out curves of both full data
 * sets, 40 rounds × 128 (docs/results/validation/federated.md): 8 without noise (held-out P@20
 * at round 40, Diginetica / YooChoose 1/64: η 4 – / 26.63, 8 9.90 / 36.73, 12 11.12 / 30.51,
 * 16 9.90 / –, 32 1.12 / –; FedAvgM β 0.9 with η 2 10.51 / –: 12 leads on Diginetica by less than
 * the curve's noise and swings on YooChoose) and 4 under DP (Diginetica ε = 8: 4.80 for 4, 2.76
 * for 12: the noise on the step grows with η as the signal does, and at 128 clients it
 * dominates). With row scales (`row_scale`, below) η 4 and 8 end close after 40 rounds without
 * noise (Diginetica 28.06 / 14.70 against 28.47 / 14.62 held-out P@20 / MRR@20, YooChoose 1/64
 * 52.55 / 18.70 against 51.84 / 16.99) and 4 starts slower (Diginetica round 8: 4.49 against
 * 10.20), so 8 stays. The rest are untuned first choices.
 */
export const FED_DEFAULTS = {
  sessionsPerClient: 32,
  cohort: 128,
  rounds: 40,
  // The clients' local schedule is the devices' own (LOCAL_TRAIN, sdk/src/worker/local-training.ts),
  // unless `local_epochs`, `local_lr`, `local_batch` or `negatives` say otherwise.
  /** FedAvg's server learning rate η without noise. */
  serverLr: 8,
  /** FedAvg's η for the DP runs: the edge's default (aggregator `FEDAVG_SERVER_LR`). */
  dpServerLr: FEDAVG_SERVER_LR,
  /**
   * Share of η left at the last round without noise (cosine decay, `server_lr_end`): 0.25, picked
   * on the held-out curves of both full data sets (docs/results/validation/federated.md, "Server
   * η decay"): round 40 Diginetica 27.55 / 14.89 against 28.47 / 14.62 constant, YooChoose 1/64
   * 53.06 / 19.43 against 51.84 / 16.99 (0.1: 27.45 / 14.72 and 52.86 / 19.69).
   */
  serverLrEnd: 0.25,
  /**
   * The same for the DP runs: 1, constant η. Under noise the curves still rise at round 40 and
   * a decay only slows them (YooChoose 1/64 ε = 8, held-out P@20 at round 32: 23.78 with 0.25
   * against 28.67 constant).
   */
  dpServerLrEnd: 1,
  /** FedAdam's server learning rate η (per-coordinate steps of about η). */
  fedAdamLr: 0.03,
  clipNorm: 1,
  delta: 1e-6,
} as const
export const FED_QUICK = { rounds: 8, cohort: 32 } as const
/** The most recent 1 % of sessions are held out of every client, for the per-round curve. */
export const FED_HELD_OUT = { fraction: 0.01, maxCases: 1000, curvePoints: 5 } as const

/**
 * The simulation. `epsilon` = null runs FedAvg without noise, each delta clipped to L2 norm C as
 * the SDK's devices always clip (`--param fedrec-federated.clip=0` turns clipping off: its
 * held-out curve on full Diginetica, 40 rounds × 128, peaked at round 24 and fell after, the
 * server stepping 4× a mean of unbounded deltas); a number runs DP-FedAvg: every delta clipped
 * to L2 norm C by `clipInPlace`, the sum noised with
 * N(0, (z·C)²) by `addGaussianNoise`, z the smallest noise multiplier with which the accountant
 * certifies (ε, δ) after all rounds. As on a device, each client adds its distributed-mode
 * share (std z·C/√cohort, `clientNoiseStd`) to its clipped delta and then quantises it with the
 * round's encoding (`quantise`, unbiased stochastic rounding); the server sums what it decodes.
 * The sum carries std z·C·√(n/cohort) for n reporting clients: exactly z·C when the expected
 * cohort reports (the edge's minimum cohort keeps n from falling far below it). A model whose
 * whole update is over the 128 KiB budget trains in the edge's row-subset rounds
 * (`rowSubsetPlan`, `rowSubsetForRound`): each client cuts its delta to the round's rows before
 * clipping, and the server scatters the sum back before its step. Before the step, each row of
 * the item table is scaled by 1 / P(a client touches it) from the training click counts and the
 * clients' mean work (FedSubAvg, `rowTouchScales`), capped at `row_scale` (default 100) and by
 * the round's noise (`noiseCappedMaxScale`), as the edge does.
 */
export class FederatedSim extends NeuralRecommender {
  constructor(
    readonly name: string,
    private readonly epsilon: number | null,
  ) {
    super()
  }

  async fit(data: TrainData, opts: FitOptions): Promise<FitInfo> {
    checkParams(this.name, opts.params, [
      'dim', 'maxlen', 'seed', 'clients_k', 'cohort', 'rounds', 'local_epochs', 'local_lr', 'local_batch', 'local_opt',
      'negatives', 'server_lr', 'server_opt', 'momentum', 'clip', 'delta', 'encoding', 'subset', 'hot_share', 'row_scale', 'warm_start', 'server_lr_end',
      'algorithm', 'server_tau', ...TABLE_PARAM_KEYS,
    ])
    await nodeTf()
    const p = opts.params
    // `algorithm=fedsgd` (an experiment): clients of one session each send their clipped gradient
    // at the published model, one local step (cohort-gradients.ts), and the server steps with FedAdam.
    const oneStep = choiceParam(p, 'algorithm', ['fedavg', 'fedsgd'], 'fedavg') === 'fedsgd'
    const k = intParam(p, 'clients_k', oneStep ? 1 : FED_DEFAULTS.sessionsPerClient, 1)
    const cohort = intParam(p, 'cohort', opts.quick ? FED_QUICK.cohort : FED_DEFAULTS.cohort, 1)
    const rounds = intParam(p, 'rounds', opts.quick ? FED_QUICK.rounds : FED_DEFAULTS.rounds, 1)
    const localEpochs = intParam(p, 'local_epochs', LOCAL_TRAIN.epochs, 1)
    const localLr = floatParam(p, 'local_lr', LOCAL_TRAIN.learningRate, 0, 10)
    const localBatch = intParam(p, 'local_batch', LOCAL_TRAIN.batchSize, 1)
    // The clients' optimizer: Adam (as the SDK's devices) or plain SGD.
    const localOpt = choiceParam(p, 'local_opt', Object.values(OptimizerName), OptimizerName.Adam)
    // Uniform negatives a local step; 0: the full softmax.
    const negatives = intParam(p, 'negatives', LOCAL_TRAIN.sampledNegatives, 0)
    // `server_opt`: FedAvg, FedAvgM (server momentum `momentum`, Hsu et al. 2019) or FedAdam (Reddi et al. 2021).
    const serverOpt = choiceParam(p, 'server_opt', Object.values(ServerOptimizer), oneStep ? ServerOptimizer.FedAdam : ServerOptimizer.FedAvg)
    // FedAdam's τ (Reddi et al.'s adaptivity floor, aggregator FEDADAM_DEFAULTS).
    const tau = floatParam(p, 'server_tau', FEDADAM_DEFAULTS.tau, 0, 1)
    const momentum = floatParam(p, 'momentum', FEDAVGM_DEFAULTS.momentum, 0, 0.999)
    const dp = this.epsilon !== null
    const serverLr = floatParam(p, 'server_lr', serverOpt === ServerOptimizer.FedAdam ? FED_DEFAULTS.fedAdamLr : dp ? FED_DEFAULTS.dpServerLr : FED_DEFAULTS.serverLr, 0, 100)
    // DP needs a clip norm; plain FedAvg may run unclipped (clip=0).
    const clipNorm = floatParam(p, 'clip', FED_DEFAULTS.clipNorm, dp ? 1e-6 : 0)
    const delta = floatParam(p, 'delta', FED_DEFAULTS.delta, 1e-12, 0.5)
    const seed = intParam(p, 'seed', opts.seed, 0)
    // FedSubAvg's per-row scales of the item table, capped at `row_scale` (1 = plain FedAvg) and
    // by the noise a scaled row may carry, as on the edge (aggregator/src/row-scale.ts).
    const rowScaleSet = floatParam(p, 'row_scale', ROW_SCALE_DEFAULTS.maxScale, 1, 10_000)
    // `warm_start=f` (an experiment, 0 by default): the oldest share f of the training sessions
    // trains the starting model centrally, with fedrec-central's schedule, as a shop could from
    // first-party data it already holds (its own order logs), and holds no client; the clients
    // hold the rest. The (ε, δ) reached covers the clients' sessions only.
    const warmShare = floatParam(p, 'warm_start', 0, 0, 0.9)
    // η decays by a half cosine from `server_lr` at round 1 to `server_lr_end` × it at the last
    // round (aggregator/src/server-lr-schedule.ts, what the edge runs under FEDREC_SERVER_LR_DECAY_ROUNDS).
    const lrEnd = floatParam(p, 'server_lr_end', dp ? FED_DEFAULTS.dpServerLrEnd : FED_DEFAULTS.serverLrEnd, 1e-6, 1)
    const lrSchedule = lrEnd < 1 && rounds >= 2 ? { rounds, end: lrEnd } : null

    const held = carveValidation(data, FED_HELD_OUT.fraction, FED_HELD_OUT.maxCases)
    this.index = itemIndex(data)
    const cfg = modelConfig(this.index.numItems, p, dp)
    if (oneStep) {
      if (k !== 1) throw new ParamError('algorithm=fedsgd runs clients of one session (clients_k=1)')
      const local = ['local_epochs', 'local_lr', 'local_batch', 'local_opt', 'row_scale'].filter((key) => p[key] !== undefined)
      if (local.length > 0) throw new ParamError(`algorithm=fedsgd takes no ${local.join(', ')}: a client's update is its clipped gradient, stepped by the server`)
      checkCohortConfig(cfg)
    }
    const fitSessions = modelSessions(held.fit, this.index)
    const warmCount = Math.floor(fitSessions.length * warmShare)
    const sessions = fitSessions.slice(warmCount)
    const clients = Math.ceil(sessions.length / k)
    const q = Math.min(1, cohort / clients)
    const z = dp ? computeNoiseMultiplier({ q, rounds, delta, epsilon: this.epsilon! }) : 0
    const round: RoundConfig = {
      roundId: 0,
      modelVersion: 0,
      clipNorm,
      noiseMultiplier: z,
      noiseMode: NoiseMode.Distributed,
      minClients: cohort,
      expectedClients: cohort,
      serverLearningRate: serverLr,
      sampleRate: q,
      deadline: 0,
    }
    opts.log(
      `${clients} clients of ${k} sessions (${held.heldOutSessions} most recent sessions held out for the curve), ` +
        `q = ${q.toPrecision(3)}, ${rounds} rounds` +
        (dp ? `, C = ${clipNorm}, z = ${z.toFixed(4)} for ε = ${this.epsilon}, δ = ${delta}` : ''),
    )

    let global = initWeights(cfg, seed)
    const model = new SessionModel(cfg, global)
    if (warmCount > 0) {
      const t = trainParams({ ...opts, params: {} }, CENTRAL_DEFAULTS)
      opts.log(`warm start: ${t.epochs} epochs of central training on the ${warmCount} oldest training sessions`)
      await trainEpochs((e, o) => model.train(e, o), buildExamples(fitSessions.slice(0, warmCount), cfg.maxLen), t, opts)
      global = await model.getWeights()
      await this.ready(model)
      const m = await evaluateCases(this, held.cases, data)
      opts.log(`warm start: held-out P@20 ${m.p20.toFixed(2)} MRR@20 ${m.mrr20.toFixed(2)}`)
    }
    const layout = modelLayout(cfg)
    const shapes = layout.map((t) => [...t.shape])
    // What the edge announces for this model when FEDREC_UPDATE_ENCODING is unset (int8, or int4
    // past the 128 KiB upload budget), unless `--param M.encoding=float32|int8|int4` says otherwise.
    const encoding = choiceParam(p, 'encoding', Object.values(UpdateEncoding), roundUpdateEncodingFor(null, shapes))
    // What the edge announces for a model whose update at that encoding is over the budget: a
    // row subset of the item table per round (`--param M.subset=off` sends every row anyway).
    const subsetOn = choiceParam(p, 'subset', ['auto', 'off'], 'auto') === 'auto'
    const hotShare = floatParam(p, 'hot_share', ROW_SUBSET_DEFAULTS.hotShare, 0, 1)
    const plan = subsetOn ? rowSubsetPlan(layout, encoding, { hotShare }) : null
    const sentShapes = plan ? uploadLayout(layout, rowSubsetForRound(layout, plan, 0)).map((t) => [...t.shape]) : shapes
    if (plan) opts.log(`row subset: ${plan.hotRows} hot + ${plan.windowRows} moving rows of ${plan.tensor} a round (${sentShapes[0]![0]} of ${shapes[0]![0]})`)
    const rowScaleMax = noiseCappedMaxScale(rowScaleSet, {
      sumNoiseStd: clientNoiseStd(round) * Math.sqrt(cohort),
      serverLearningRate: serverLr,
      expectedClients: cohort,
      noiseTolerance: ROW_SCALE_DEFAULTS.noiseTolerance,
    })
    const rowPerItem = layout[0]!.shape[0] === cfg.numItems + 1
    const rowScales = rowScaleMax > 1 && rowPerItem && !oneStep ? expectedTouchScales(sessions, k, layout[0]!.shape[0]!, { negatives, localEpochs, localBatch, maxScale: rowScaleMax }) : null
    if (rowScales) opts.log(`row scales (at most ${rowScaleMax.toPrecision(3)}): ${describeScales(rowScales)}`)
    const rand = mulberry32(seed ^ 0x5eed)
    const fill = seededRandomFill(seed + 17) // simulation only: reproducible, not for real devices
    const history: RoundPoint[] = []
    const curveEvery = Math.max(1, Math.floor(rounds / FED_HELD_OUT.curvePoints))
    const stepBase = { expectedClients: cohort, serverLearningRate: serverLr }
    const settings: ServerStepSettings =
      serverOpt === ServerOptimizer.FedAdam ? { optimizer: serverOpt, ...stepBase, ...FEDADAM_DEFAULTS, tau }
      : serverOpt === ServerOptimizer.FedAvgM ? { optimizer: serverOpt, ...stepBase, momentum }
      : { optimizer: serverOpt, ...stepBase }
    let serverState: ServerOptimizerState | null = null
    let uploadBytes = 0
    // What one device's update of round r takes on the wire, in the round's encoding.
    const encodedBytes = (r: number, data: Float32Array): number =>
      encodeUpdate({
        modelVersion: r,
        roundId: r,
        clipNorm,
        noiseMultiplier: z,
        noiseMode: round.noiseMode,
        nonce: new Uint8Array(16),
        shapes: sentShapes,
        data,
        ...(isQuantised(encoding) ? { encoding } : {}),
      }, { random: fill }).byteLength
    let participations = 0
    let clipped = 0
    const modelEncoding = modelEncodingParam(cfg, p)
    for (let r = 0; r < rounds; r++) {
      // Devices start from the published model (the master weights through its encoding) and
      // send their delta from it; the server steps its float32 master, as the edge does.
      const published = publishedWeights(cfg, global, modelEncoding)
      const subset = plan ? rowSubsetForRound(layout, plan, r) : null
      const sum = new RoundSum(layoutSize(uploadLayout(layout, subset)))
      const chosen: number[] = []
      for (let c = 0; c < clients; c++) if (rand() < q) chosen.push(c)
      let oneStepSum: Float64Array | null = null
      if (oneStep) {
        // The whole cohort's clipped one-step updates at once (cohort-gradients.ts), the round's rows only.
        const inRound = subset === null ? null : new Uint8Array(layout[0]!.shape[0]!)
        if (subset !== null) for (const row of subsetRows(inRound!.length, subset)) inRound![row] = 1
        const cohortSum = await clippedCohortSum(cfg, published, chosen.map((c) => sessions[c]!), {
          negatives,
          clipNorm,
          rand,
          ...(inRound === null ? {} : { rowInRound: (row: number) => inRound[row] === 1 }),
        })
        const part = gatherSubset(Float32Array.from(cohortSum.sum), layout, subset)
        // The noise the reporting devices' shares add up to (distributed mode, as below).
        if (dp) addGaussianNoise(part, clientNoiseStd(round) * Math.sqrt(cohortSum.clients), fill)
        oneStepSum = Float64Array.from(part)
        if (r === 0) {
          const sorted = Float32Array.from(cohortSum.norms).sort()
          const at = (f: number): string => (sorted[Math.floor(f * (sorted.length - 1))] ?? 0).toPrecision(3)
          opts.log(`round 1: the clients' gradient norms before the clip C = ${clipNorm}: 10th ${at(0.1)}, median ${at(0.5)}, 90th ${at(0.9)}`)
        }
        participations += cohortSum.clients
        clipped += cohortSum.clipped
        if (uploadBytes === 0) uploadBytes = encodedBytes(r, new Float32Array(part.length))
      }
      for (const c of oneStep ? [] : chosen) {
        const ex = buildExamples(sessions.slice(c * k, c * k + k), cfg.maxLen)
        if (ex.count === 0) continue
        model.setWeights(published)
        await model.train(ex, {
          epochs: localEpochs,
          batchSize: localBatch,
          learningRate: localLr,
          optimizer: localOpt,
          seed: seed + r * 7919 + c,
          sampledNegatives: negatives, // 0: the full softmax (SessionModel.train)
          bucketByLength: LOCAL_TRAIN.bucketByLength,
        })
        const trained = await model.getWeights()
        for (let i = 0; i < trained.length; i++) trained[i] = trained[i]! - published[i]!
        const w = gatherSubset(trained, layout, subset)
        // The device's privatisation: clip, add its distributed noise share, then quantise.
        if (clipNorm > 0 && clipInPlace(w, clipNorm).scale < 1) clipped++
        if (dp) addGaussianNoise(w, clientNoiseStd(round), fill)
        const sent = isQuantised(encoding) ? dequantise(quantise(w, encoding, fill), encoding, w.length) : w
        if (uploadBytes === 0) uploadBytes = encodedBytes(r, w)
        sum.add(sent)
        participations++
      }
      const step = scatterSubset(oneStepSum ?? sum.sum, layout, subset)
      if (rowScales) scaleRowsInPlace(step, 0, cfg.dim, rowScales)
      const eta = serverLearningRateAt(serverLr, r, lrSchedule)
      ;({ weights: global, state: serverState } = serverStep(global, step, { ...settings, serverLearningRate: eta }, serverState))
      opts.progress((r + 1) / rounds, `round ${r + 1}/${rounds}, ${chosen.length} clients`)
      if ((r + 1) % curveEvery === 0 || r + 1 === rounds) {
        model.setWeights(publishedWeights(cfg, global, modelEncoding))
        await this.ready(model)
        const m = await evaluateCases(this, held.cases, data)
        history.push({ round: r + 1, p20: m.p20, mrr20: m.mrr20 })
        const rep = await model.repeatWeights()
        const repLine = rep === null ? '' : `; repeat weights ${Array.from(rep, (w) => w.toFixed(2)).join(' ')}`
        opts.log(`round ${r + 1}: ${chosen.length} clients; held-out P@20 ${m.p20.toFixed(2)} MRR@20 ${m.mrr20.toFixed(2)}${repLine}`)
      }
    }
    model.setWeights(publishedWeights(cfg, global, modelEncoding))
    await this.ready(model)
    const eps = dp ? computeEpsilon({ q, noiseMultiplier: z, rounds, delta }).epsilon : null
    return {
      modelBytes: downloadBytes(cfg, global, this.index, modelEncoding),
      uploadBytes,
      rounds,
      epsilon: eps === null ? null : Number(eps.toFixed(4)),
      delta: dp ? delta : null,
      history,
      params: {
        dim: cfg.dim,
        ...tableParams(cfg),
        encoding,
        model_encoding: modelEncoding,
        clients,
        sessions_per_client: k,
        ...(warmCount > 0 ? { warm_start: warmShare, warm_sessions: warmCount } : {}),
        cohort,
        q: Number(q.toPrecision(4)),
        // One-step clients take no local schedule: their update is their gradient.
        ...(oneStep ? { algorithm: 'fedsgd' } : { local_epochs: localEpochs, local_lr: localLr, local_batch: localBatch }),
        ...(localOpt === OptimizerName.Adam || oneStep ? {} : { local_opt: localOpt }),
        negatives,
        server_opt: serverOpt,
        server_lr: serverLr,
        server_lr_end: lrSchedule ? lrEnd : 1,
        ...(serverOpt === ServerOptimizer.FedAvgM ? { momentum } : {}),
        ...(serverOpt === ServerOptimizer.FedAdam ? { server_tau: tau } : {}),
        participations,
        clip: clipNorm,
        row_scale: rowScales ? Number(rowScaleMax.toPrecision(4)) : 1,
        ...(plan ? { hot_rows: plan.hotRows, window_rows: plan.windowRows } : {}),
        clipped_fraction: Number((clipped / Math.max(1, participations)).toFixed(3)),
        ...(dp ? { noise_multiplier: Number(z.toFixed(4)) } : {}),
      },
    }
  }
}

/**
 * FedSubAvg's row scales from the clients' click counts per item row (what the shop's page
 * counts tell it) and the simulation's mean local work: each client draws `negatives` uniform
 * rows a local step.
 */
function expectedTouchScales(
  sessions: readonly Int32Array[],
  k: number,
  rows: number,
  o: { negatives: number; localEpochs: number; localBatch: number; maxScale: number },
): Float32Array {
  const counts = new Float64Array(rows)
  let clicks = 0
  for (const s of sessions) for (const item of s) if (item > 0 && item < rows) (counts[item]!++, clicks++)
  const clients = Math.ceil(sessions.length / k)
  const examplesPerClient = Math.max(0, clicks - sessions.length) / clients
  const steps = o.localEpochs * Math.max(1, Math.ceil(examplesPerClient / o.localBatch))
  return rowTouchScales(counts, { clicksPerClient: clicks / clients, negativeDraws: o.negatives * steps, maxScale: o.maxScale })
}

function describeScales(scales: Float32Array): string {
  const sorted = Float32Array.from(scales.subarray(1)).sort()
  const at = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!.toFixed(1)
  return `min ${at(0)}, median ${at(0.5)}, 90th ${at(0.9)}, max ${at(1)}`
}
