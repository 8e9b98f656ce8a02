import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adaptiveClipRound } from './adaptive-clip.js'
import { l2Norm } from './clip.js'
import { seededRandomFill } from './noise.js'
import { maxHonestNorm, minHonestNorm, privatizeInPlace } from './privatize.js'
import type { RoundConfig } from './round-config.js'
import { honestPayload } from './testing/payloads.js'

const round: RoundConfig = { roundId: 2, modelVersion: 1, clipNorm: 1, noiseMultiplier: 1.5, noiseMode: 'local', minClients: 9, expectedClients: 30, serverLearningRate: 1, sampleRate: 0.2, deadline: 0, adaptiveClipping: null }
const adaptive: RoundConfig = { ...round, adaptiveClipping: adaptiveClipRound({ noiseMultiplier: 1.5, expectedClients: 30 }) }

describe('privatizeInPlace', () => {
  it('adds noise of the announced std: z·C, z_Δ·C with adaptive clipping, a 1/√minClients share when distributed', () => {
    const n = 100_000
    const cases: [RoundConfig, number][] = [
      [round, 1.5],
      [adaptive, adaptive.adaptiveClipping!.valueNoiseMultiplier],
      [{ ...adaptive, noiseMode: 'distributed' }, adaptive.adaptiveClipping!.valueNoiseMultiplier / 3],
    ]
    for (const [r, want] of cases) {
      // A zero delta: what comes out is the noise alone.
      const v = new Float32Array(n)
      const report = privatizeInPlace(v, r, seededRandomFill(3))
      expect(report.noiseStd).toBeCloseTo(want, 12)
      const std = l2Norm(v) / Math.sqrt(n)
      expect(Math.abs(std - want)).toBeLessThan((5 * want) / Math.sqrt(2 * n))
      expect(report.clipBit === null).toBe(!r.adaptiveClipping)
    }
  })

  it('keeps honest norms between the floor and the ceiling the edge enforces (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), fc.integer(), (dims, scale, z, seed) => {
        const r = { ...round, noiseMultiplier: z }
        const v = new Float32Array(dims).fill(scale)
        const { noiseStd } = privatizeInPlace(v, r, seededRandomFill(seed))
        const norm = l2Norm(v)
        expect(norm).toBeLessThanOrEqual(maxHonestNorm(r.clipNorm, noiseStd, dims))
        expect(norm).toBeGreaterThanOrEqual(minHonestNorm(r.clipNorm, noiseStd, dims))
      }),
      { numRuns: 200 },
    )
  })

  it('pins the exact bytes of a privatized payload for a fixed seed (clip, noise and clip bit)', () => {
    const layout = [{ name: 'w', shape: [3, 2] }]
    const { bytes } = honestPayload(adaptive, layout, 42, { scale: 2 })
    expect(Buffer.from(bytes).toString('hex')).toMatchSnapshot()
  })
})
