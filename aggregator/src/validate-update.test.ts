import { describe, expect, it } from 'vitest'
import { adaptiveClipRound } from './adaptive-clip.js'
import { PayloadRejectedError } from './errors.js'
import { decodeUpdate, type UpdatePayload } from './protocol/update-codec.js'
import type { ModelLayout } from './protocol/tensor-layout.js'
import type { RoundConfig } from './round-config.js'
import { honestPayload, type HonestPayloadOptions } from './testing/payloads.js'
import { validateUpdate } from './validate-update.js'

const layout: ModelLayout = [{ name: 'w', shape: [50, 40] }, { name: 'b', shape: [40] }]
const base: RoundConfig = {
  roundId: 4,
  modelVersion: 2,
  clipNorm: 0.5,
  noiseMultiplier: 0.8,
  noiseMode: 'local',
  minClients: 3,
  expectedClients: 10,
  serverLearningRate: 1,
  sampleRate: 1,
  deadline: 0,
  adaptiveClipping: null,
}
const adaptiveRound: RoundConfig = { ...base, adaptiveClipping: adaptiveClipRound({ noiseMultiplier: 0.8, expectedClients: 10 }) }

/** A device's payload for `round`, as the SDK builds it, decoded as the edge sees it. */
function honest(round: RoundConfig, seed: number, opts: HonestPayloadOptions = {}): UpdatePayload {
  return decodeUpdate(honestPayload(round, layout, seed, opts).bytes)
}

function reason(u: UpdatePayload, round: RoundConfig): string | null {
  try {
    validateUpdate(u, round, layout)
    return null
  } catch (e) {
    if (e instanceof PayloadRejectedError) return e.reason
    throw e
  }
}

describe('validateUpdate', () => {
  it('accepts honest payloads of fixed and adaptive rounds, in local and distributed mode', () => {
    for (let seed = 1; seed <= 20; seed++) {
      expect(reason(honest(base, seed), base)).toBeNull()
      expect(reason(honest(adaptiveRound, seed), adaptiveRound)).toBeNull()
      const dist = { ...adaptiveRound, noiseMode: 'distributed' as const }
      expect(reason(honest(dist, seed), dist)).toBeNull()
    }
    expect(reason(honest(base, 1, { v1: true }), base), 'format 1 is fine for a fixed-clip round').toBeNull()
  })

  it('refuses a payload whose announced noise is missing', () => {
    expect(reason(honest(base, 3, { noise: false }), base)).toBe('noise_too_small')
  })

  it('refuses a payload without its clip bit in an adaptive round, and one with a bit in a fixed round', () => {
    expect(reason(honest(adaptiveRound, 3, { v1: true }), adaptiveRound)).toBe('parameter_mismatch')
    expect(reason(honest(adaptiveRound, 3), base)).toBe('parameter_mismatch')
    const u = honest(adaptiveRound, 3)
    expect(reason({ ...u, clipBit: { ...u.clipBit!, countNoiseStd: 0.1 } }, adaptiveRound)).toBe('parameter_mismatch')
  })

  it('refuses a clip bit no honest noise could produce', () => {
    const u = honest(adaptiveRound, 3)
    expect(reason({ ...u, clipBit: { ...u.clipBit!, value: 1000 } }, adaptiveRound)).toBe('clip_bit_out_of_range')
  })
})
