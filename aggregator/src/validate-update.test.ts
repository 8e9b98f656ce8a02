import { describe, expect, it } from 'vitest'
import { adaptiveClipRound } from './adaptive-clip.js'
import { PayloadRejectedError } from './errors.js'
import { decodeUpdate, type UpdatePayload } from './protocol/update-codec.js'
import type { ModelLayout } from './protocol/tensor-layout.js'
import type { RoundConfig } from './round-config.js'
import { honestPayload, type HonestPayloadOptions } from './testing/payloads.js'
import { validateUpdate } from './validate-update.js'
import { l2Norm } from './clip.js'
import { honestNormRange, maxHonestNorm } from './privatize.js'
import { clientNoiseStd } from './round-config.js'

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

  it('takes exactly the announced rows in a row-subset round, and says so when a payload has them all', () => {
    const subsetRound: RoundConfig = { ...base, rowSubset: { tensor: 'w', hotRows: 5, windowStart: 40, windowRows: 15 } }
    for (let seed = 1; seed <= 5; seed++) expect(reason(honest(subsetRound, seed), subsetRound)).toBeNull()
    const whole = honest(base, 1)
    expect(reason(whole, subsetRound)).toBe('shape_mismatch')
    expect(() => validateUpdate(whole, subsetRound, layout)).toThrow("shapes: tensor w has shape [50,40]; the round's update (the rows of w in its rowSubset) needs [20,40]")
    expect(reason(honest(subsetRound, 1), base), 'a subset payload in a round of every row').toBe('shape_mismatch')
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

  it.each(['int8', 'int4'] as const)('accepts honest %s payloads of a round that asks for them, and only those', (encoding) => {
    const round: RoundConfig = { ...base, updateEncoding: encoding }
    for (let seed = 1; seed <= 20; seed++) {
      const u = honest(round, seed)
      expect(u.encoding).toBe(encoding)
      expect(reason(u, round)).toBeNull()
      const dist = { ...adaptiveRound, noiseMode: 'distributed' as const, updateEncoding: encoding }
      expect(reason(honest(dist, seed), dist)).toBeNull()
    }
    expect(reason(honest(base, 1), round), 'a float32 payload in a quantised round').toBe('parameter_mismatch')
    expect(reason(honest(round, 1), base), 'a quantised payload in a float32 round').toBe('parameter_mismatch')
    const other = encoding === 'int8' ? 'int4' : 'int8'
    expect(reason(honest({ ...round, updateEncoding: other }, 1), round)).toBe('parameter_mismatch')
    // On 2,040 values int4's worst-case rounding could hide the noise; the 20,000-value test below covers it.
    if (encoding === 'int8') expect(reason(honest(round, 3, { noise: false }), round), 'missing noise still shows through the rounding').toBe('noise_too_small')
  })

  it('names the encodings when they differ', () => {
    const round: RoundConfig = { ...base, updateEncoding: 'int8' }
    expect(() => validateUpdate(honest(base, 1), round, layout)).toThrow('the round takes int8 values (format 3); this payload has float32 values (format 1 or 2)')
  })

  it('widens the norm range of a quantised round by the most rounding can move the norm, no more', () => {
    // 20,000 values: on a few thousand, int4's rounding could hide a missing noise entirely.
    const big: ModelLayout = [{ name: 'w', shape: [500, 40] }]
    const round: RoundConfig = { ...base, updateEncoding: 'int4' }
    const u = decodeUpdate(honestPayload(round, big, 5).bytes)
    const std = clientNoiseStd(round)
    const { max, min } = honestNormRange(round.clipNorm, std, u.data.length, 'int4')
    const scaled = (k: number) => ({ ...u, data: u.data.map((x) => x * k) })
    const norm = l2Norm(u.data)
    const reason = (x: UpdatePayload, r: RoundConfig) => {
      try {
        validateUpdate(x, r, big)
        return null
      } catch (e) {
        return (e as PayloadRejectedError).reason
      }
    }
    expect(min).toBeGreaterThan(0)
    expect(reason(scaled((max * 0.999) / norm), round)).toBeNull()
    expect(reason(scaled((max * 1.001) / norm), round)).toBe('norm_too_large')
    expect(reason(scaled((min * 1.001) / norm), round)).toBeNull()
    expect(reason(scaled((min * 0.999) / norm), round)).toBe('noise_too_small')
    expect(max).toBeGreaterThan(maxHonestNorm(round.clipNorm, std, u.data.length))
  })
})
