import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PayloadRejectedError } from '../errors.js'
import { decodeUpdate, encodeUpdate, type UpdatePayload } from './update-codec.js'
import type { RoundConfig } from '../round-config.js'
import { validateUpdate } from '../validate-update.js'

const layout = [
  { name: 'w', shape: [2, 3] },
  { name: 'b', shape: [3] },
] as const
const round: RoundConfig = { roundId: 7, modelVersion: 3, clipNorm: 1, noiseMultiplier: 0.1, noiseMode: 'local', minClients: 2, expectedClients: 3, serverLearningRate: 1, sampleRate: 1, deadline: 0 }
const update = (over: Partial<UpdatePayload> = {}): UpdatePayload => ({
  modelVersion: 3,
  roundId: 7,
  clipNorm: 1,
  noiseMultiplier: 0.1,
  noiseMode: 'local',
  nonce: new Uint8Array(16),
  shapes: [[2, 3], [3]],
  data: new Float32Array(9).fill(0.1),
  ...over,
})

function reason(u: UpdatePayload, lag = 0): string {
  try {
    validateUpdate(u, round, layout, { maxModelLag: lag })
    return 'accepted'
  } catch (e) {
    if (e instanceof PayloadRejectedError) return `${e.status} ${e.reason}`
    throw e
  }
}

describe('round rules (schemas)', () => {
  it('accepts an honest update and names the first broken rule otherwise', () => {
    expect(reason(update())).toBe('accepted')
    expect(reason(update({ roundId: 6 }))).toBe('409 round_closed')
    expect(reason(update({ modelVersion: 2 }))).toBe('409 stale_model')
    expect(reason(update({ modelVersion: 4 }))).toBe('409 stale_model')
    expect(reason(update({ noiseMultiplier: 0 }))).toBe('422 parameter_mismatch')
    expect(reason(update({ noiseMode: 'distributed' }))).toBe('422 parameter_mismatch')
    expect(reason(update({ shapes: [[3, 2], [3]] }))).toBe('422 shape_mismatch')
    expect(reason(update({ shapes: [[2, 3], [3], [1]] }))).toBe('422 shape_mismatch')
    expect(reason(update({ data: new Float32Array(9).fill(10) }))).toBe('422 norm_too_large')
  })

  it('accepts a model up to maxModelLag versions behind the round, never ahead', () => {
    expect(reason(update({ modelVersion: 2 }), 1)).toBe('accepted')
    expect(reason(update({ modelVersion: 1 }), 1)).toBe('409 stale_model')
    expect(reason(update({ modelVersion: 0 }), 5)).toBe('accepted')
    expect(reason(update({ modelVersion: 4 }), 5)).toBe('409 stale_model')
  })

  it('says which field broke the rule', () => {
    try {
      validateUpdate(update({ shapes: [[2, 4], [3]] }), round, layout)
      expect.unreachable()
    } catch (e) {
      expect((e as Error).message).toMatch(/^shapes: tensor \w+ has shape \[2,4\]; the model needs \[/)
    }
  })

  it('rejects every update whose norm exceeds the bound and accepts every one within it (property)', () => {
    fc.assert(
      fc.property(fc.float({ min: 0, max: 20, noNaN: true }), (scale) => {
        const data = new Float32Array(9).fill(scale / 3)
        let norm = 0
        for (const x of data) norm += x * x
        const r = reason(update({ data }))
        // bound = C(1+1e-6) + σ(√9 + 12) = 1.000001 + 0.1·15
        return Math.sqrt(norm) > 2.500001 ? r === '422 norm_too_large' : r === 'accepted'
      }),
    )
  })

  it('is what decodeUpdate + the envelope schema hand it: round-tripped updates pass', () => {
    expect(reason(decodeUpdate(encodeUpdate(update())))).toBe('accepted')
  })
})
