/** Bindings and variables of the edge worker, and the round settings read from them. */
import { NoiseMode } from '../../aggregator/src/index.js'
import type { RoundCoordinator } from './round-coordinator.js'

export interface Env {
  readonly ASSETS: Fetcher
  readonly ROUNDS: DurableObjectNamespace<RoundCoordinator>
  readonly FEDREC_MIN_CLIENTS?: string
  readonly FEDREC_EXPECTED_CLIENTS?: string
  readonly FEDREC_CLIP_NORM?: string
  readonly FEDREC_NOISE_MULTIPLIER?: string
  readonly FEDREC_NOISE_MODE?: string
  readonly FEDREC_SERVER_LR?: string
  readonly FEDREC_SAMPLE_RATE?: string
  readonly FEDREC_ROUND_SECONDS?: string
  readonly FEDREC_MAX_UPLOAD_BYTES?: string
  readonly FEDREC_ALLOWED_ORIGINS?: string
}

/** Round settings that do not change within a deployment. */
export interface RoundSettings {
  readonly minClients: number
  readonly expectedClients: number
  readonly clipNorm: number
  readonly noiseMultiplier: number
  readonly noiseMode: NoiseMode
  readonly serverLearningRate: number
  readonly sampleRate: number
  readonly roundSeconds: number
  readonly maxUploadBytes: number
}

function num(raw: string | undefined, name: string, fallback: number, ok: (n: number) => boolean): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name}=${raw} is not valid`)
  return n
}

/**
 * Reads and checks the round settings; a bad variable stops the worker with a clear message
 * rather than publishing rounds with nonsense parameters.
 */
export function roundSettings(env: Env): RoundSettings {
  const minClients = num(env.FEDREC_MIN_CLIENTS, 'FEDREC_MIN_CLIENTS', 3, (n) => Number.isInteger(n) && n >= 1)
  const mode = env.FEDREC_NOISE_MODE ?? 'local'
  if (mode !== NoiseMode.Local && mode !== NoiseMode.Distributed) throw new Error(`FEDREC_NOISE_MODE=${mode} must be local or distributed`)
  return {
    minClients,
    expectedClients: num(env.FEDREC_EXPECTED_CLIENTS, 'FEDREC_EXPECTED_CLIENTS', minClients, (n) => Number.isInteger(n) && n >= minClients),
    clipNorm: num(env.FEDREC_CLIP_NORM, 'FEDREC_CLIP_NORM', 1, (n) => n > 0),
    noiseMultiplier: num(env.FEDREC_NOISE_MULTIPLIER, 'FEDREC_NOISE_MULTIPLIER', 1, (n) => n >= 0),
    noiseMode: mode,
    serverLearningRate: num(env.FEDREC_SERVER_LR, 'FEDREC_SERVER_LR', 1, (n) => n > 0),
    sampleRate: num(env.FEDREC_SAMPLE_RATE, 'FEDREC_SAMPLE_RATE', 1, (n) => n > 0 && n <= 1),
    roundSeconds: num(env.FEDREC_ROUND_SECONDS, 'FEDREC_ROUND_SECONDS', 900, (n) => n > 0),
    maxUploadBytes: num(env.FEDREC_MAX_UPLOAD_BYTES, 'FEDREC_MAX_UPLOAD_BYTES', 8 << 20, (n) => Number.isInteger(n) && n > 0),
  }
}
