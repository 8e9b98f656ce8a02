/**
 * Server optimizers applied to the round's averaged (noised) delta: FedAvg with a server learning
 * rate, FedAvgM (server momentum: Hsu, Qi & Brown 2019, "Measuring the Effects of Non-Identical
 * Data Distribution for Federated Visual Classification", arXiv:1909.06335, §4), or FedAdam
 * (Reddi et al. 2021, "Adaptive Federated Optimization", ICLR, Alg. 2). All only post-process the
 * DP average, so they cost no privacy.
 */
import { applyFedAvg, checkServerStep } from './fedavg.js'

/** Which server optimizer a deployment runs (FEDREC_SERVER_OPTIMIZER). */
export const ServerOptimizer = { FedAvg: 'fedavg', FedAvgM: 'fedavgm', FedAdam: 'fedadam' } as const
export type ServerOptimizer = (typeof ServerOptimizer)[keyof typeof ServerOptimizer]

/** FedAdam's hyper-parameters (Reddi et al. 2021). */
export interface FedAdamOptions {
  readonly beta1: number
  readonly beta2: number
  /** τ, the adaptivity: bounds the per-coordinate step to η·|m|/τ when v is tiny. */
  readonly tau: number
}

/**
 * β₁ = 0.9, β₂ = 0.99 as in Reddi et al. (§5, fixed for all tasks) and Flower's `FedAdam`;
 * τ = 1e-3, the value the paper's grids settle on for most tasks (Flower's 1e-9 is far more
 * aggressive on coordinates that barely move).
 * @example FEDADAM_DEFAULTS.beta2 // 0.99
 */
export const FEDADAM_DEFAULTS = { beta1: 0.9, beta2: 0.99, tau: 1e-3 } as const satisfies FedAdamOptions

/**
 * FedAvg's default server learning rate η. 4 is what the evaluation harness chose under DP
 * (scripts/eval/models/federated.ts, `FED_DEFAULTS.dpServerLr`: Diginetica at ε = 8, 128
 * clients a round, held-out P@20 at round 40 4.80 for η = 4 against 2.76 for 12, since the noise
 * on the step grows with η as the signal does), and without noise, with row scales, it ends
 * within a curve's noise of the 8 chosen there (Diginetica 28.06 / 14.70 against 28.47 / 14.62
 * held-out P@20 / MRR@20, YooChoose 1/64 52.55 / 18.70 against 51.84 / 16.99;
 * docs/results/validation/federated.md). It was 1 until 2026-12-07; with 4 the demo store's 4
 * simulated shoppers (`npm run simulate -- --shoppers 4 --rounds 5`: clip 1.5, z = 0.1, one run
 * each) ended 5 rounds at P@20 32.7 % against 24.5 % with η = 1.
 * @example FEDAVG_SERVER_LR // 4
 */
export const FEDAVG_SERVER_LR = 4

/** FedAvgM's hyper-parameter. */
export interface FedAvgMOptions {
  /** β of v ← β·v + Δ. */
  readonly momentum: number
}

/**
 * β = 0.9, the usual server momentum (Hsu et al. 2019 sweep β ∈ [0, 0.997] and report 0.9 with
 * η = 1 among the best; TFF's and Flower's FedAvgM examples use 0.9 too).
 * @example FEDAVGM_DEFAULTS.momentum // 0.9
 */
export const FEDAVGM_DEFAULTS = { momentum: 0.9 } as const satisfies FedAvgMOptions

/** FedAvgM's velocity, persisted between rounds so that a restart keeps it. */
export interface ServerMomentumState {
  /** Rounds applied so far. */
  readonly step: number
  /** First moment: FedAvgM's velocity, or FedAdam's m. */
  readonly m: Float32Array
}

/** FedAdam's moments, persisted between rounds so that a restart keeps them. */
export interface FedAdamState extends ServerMomentumState {
  readonly v: Float32Array
}

/** What a stateful server optimizer carries from round to round. */
export type ServerOptimizerState = ServerMomentumState | FedAdamState

/**
 * One FedAvgM step: Δ = ΣΔᵢ/m, v ← β·v + Δ, w ← w + η·v, with v₀ = 0. With β = 0 it is FedAvg;
 * on a steady direction it steps η/(1 − β) times the mean delta.
 * @returns the new weights and the new velocity (the inputs are not modified)
 * @example
 * let state = null
 * ;({ weights, state } = applyFedAvgM(weights, acc.sum, { expectedClients: 100, serverLearningRate: 1, momentum: 0.9 }, state))
 */
export function applyFedAvgM(
  global: Float32Array,
  sum: Float64Array,
  opts: ServerStepOptions & FedAvgMOptions,
  state: ServerMomentumState | null,
): { weights: Float32Array; state: ServerMomentumState } {
  checkServerStep(global, sum, opts)
  const n = global.length
  if (!(opts.momentum >= 0 && opts.momentum < 1)) throw new RangeError(`momentum must be in [0, 1), got ${opts.momentum}`)
  if (state && state.m.length !== n) throw new RangeError(`FedAvgM state has ${state.m.length} values, the model ${n}`)
  const { momentum: beta, serverLearningRate: eta } = opts
  const m = state ? Float32Array.from(state.m) : new Float32Array(n)
  const weights = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const vi = beta * m[i]! + sum[i]! / opts.expectedClients
    m[i] = vi
    weights[i] = global[i]! + eta * vi
  }
  return { weights, state: { step: (state?.step ?? 0) + 1, m } }
}

/** What every server step needs. */
export interface ServerStepOptions {
  /** Fixed denominator: the expected cohort size. */
  readonly expectedClients: number
  /** η, the server learning rate. */
  readonly serverLearningRate: number
}

/**
 * One FedAdam step: Δ = ΣΔᵢ/m, m ← β₁m + (1−β₁)Δ, v ← β₂v + (1−β₂)Δ², w ← w + η·m/(√v + τ),
 * with m₀ = 0 and v₀ = τ² as in the paper (no bias correction there either).
 * @returns the new weights and the new state (the inputs are not modified)
 * @example
 * let state = null
 * ;({ weights, state } = applyFedAdam(weights, acc.sum, { expectedClients: 100, serverLearningRate: 0.01, ...FEDADAM_DEFAULTS }, state))
 */
export function applyFedAdam(
  global: Float32Array,
  sum: Float64Array,
  opts: ServerStepOptions & FedAdamOptions,
  state: FedAdamState | null,
): { weights: Float32Array; state: FedAdamState } {
  checkServerStep(global, sum, opts)
  const n = global.length
  if (state && (state.m.length !== n || state.v.length !== n)) throw new RangeError(`FedAdam state has ${state.m.length} values, the model ${n}`)
  const { beta1, beta2, tau, serverLearningRate: eta } = opts
  const m = state ? Float32Array.from(state.m) : new Float32Array(n)
  const v = state ? Float32Array.from(state.v) : new Float32Array(n).fill(tau * tau)
  const weights = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const d = sum[i]! / opts.expectedClients
    const mi = beta1 * m[i]! + (1 - beta1) * d
    const vi = beta2 * v[i]! + (1 - beta2) * d * d
    m[i] = mi
    v[i] = vi
    weights[i] = global[i]! + (eta * mi) / (Math.sqrt(vi) + tau)
  }
  return { weights, state: { step: (state?.step ?? 0) + 1, m, v } }
}

/** Settings of the server step of a deployment. */
export type ServerStepSettings =
  | (ServerStepOptions & { readonly optimizer: typeof ServerOptimizer.FedAvg })
  | (ServerStepOptions & FedAvgMOptions & { readonly optimizer: typeof ServerOptimizer.FedAvgM })
  | (ServerStepOptions & FedAdamOptions & { readonly optimizer: typeof ServerOptimizer.FedAdam })

/**
 * Applies the configured optimizer: FedAvg keeps no state; FedAvgM reads and returns its
 * velocity, FedAdam its moments. State of the other optimizer (a deployment that switched)
 * is not reused: the step starts from zero moments.
 * @example const { weights, state } = serverStep(global, acc.sum, settings, savedState)
 */
export function serverStep(
  global: Float32Array,
  sum: Float64Array,
  s: ServerStepSettings,
  state: ServerOptimizerState | null,
): { weights: Float32Array; state: ServerOptimizerState | null } {
  if (s.optimizer === ServerOptimizer.FedAvg) return { weights: applyFedAvg(global, sum, s), state: null }
  // Only FedAdam's state carries v: that is how each optimizer tells its own state from the other's.
  const adamState = state !== null && 'v' in state ? state : null
  if (s.optimizer === ServerOptimizer.FedAvgM) return applyFedAvgM(global, sum, s, adamState ? null : state)
  return applyFedAdam(global, sum, s, adamState)
}
