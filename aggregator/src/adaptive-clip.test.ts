import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rdpSubsampledGaussian } from './accountant/index.js'
import { ADAPTIVE_CLIP_DEFAULTS, adaptiveClipRound, centredClipBit, nextClipNorm, noisedClipBit, unclippedFraction } from './adaptive-clip.js'
import { seededRandomFill } from './noise.js'
import type { NoiseParams } from './round-config.js'

describe('adaptiveClipRound', () => {
  it("has TFF's and Flower's defaults and TFF's value-noise inflation", () => {
    const r = adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 100 })
    expect(r).toMatchObject({ targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 5 })
    // (1⁻² − (2·5)⁻²)^(−1/2) = (0.99)^(−1/2)
    expect(r.valueNoiseMultiplier).toBeCloseTo(1 / Math.sqrt(0.99), 12)
    expect(ADAPTIVE_CLIP_DEFAULTS.initialClipNorm).toBe(0.1)
  })

  it('keeps the accounted z: values at z_Δ and bits at 2σ_b cost exactly one Gaussian at z (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 10, noNaN: true }), fc.double({ min: 0.6, max: 50, noNaN: true }), fc.double({ min: 1.01, max: 256, noNaN: true }), (z, ratio, alpha) => {
        const countNoiseStd = (ratio * z) / 2 + z / 2 // 2σ_b > z
        const { valueNoiseMultiplier: zv } = adaptiveClipRound({ noiseMultiplier: z, expectedClients: 10, countNoiseStd })
        expect(zv).toBeGreaterThanOrEqual(z)
        // RDP of a Gaussian of multiplier s at order α is α/(2s²) (q = 1); the two queries add.
        const composed = rdpSubsampledGaussian(1, zv, alpha) + rdpSubsampledGaussian(1, 2 * countNoiseStd, alpha)
        expect(composed).toBeCloseTo(rdpSubsampledGaussian(1, z, alpha), 6)
      }),
    )
  })

  it('refuses a clipped-count noise too small for z, saying what to change', () => {
    expect(() => adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 3 })).toThrow(/2σ_b > z/)
    expect(() => adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 3, countNoiseStd: 0.5 })).toThrow(RangeError)
    expect(() => adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 100, targetQuantile: 1.5 })).toThrow(/quantile/)
  })

  it('adds no noise anywhere when z = 0, as TFF does', () => {
    expect(adaptiveClipRound({ noiseMultiplier: 0, expectedClients: 3 })).toMatchObject({ valueNoiseMultiplier: 0, countNoiseStd: 0 })
  })
})

describe('clip bits', () => {
  const round = (mode: 'local' | 'distributed'): NoiseParams => ({
    clipNorm: 1,
    noiseMultiplier: 1,
    noiseMode: mode,
    minClients: 4,
    adaptiveClipping: adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 20 }),
  })

  it('is +½ within the clip norm and −½ above it', () => {
    expect(centredClipBit(1, 1)).toBe(0.5)
    expect(centredClipBit(1.0001, 1)).toBe(-0.5)
  })

  it("carries the device's share of σ_b: all of it locally, 1/√minClients distributed", () => {
    for (const [mode, want] of [['local', 1], ['distributed', 0.5]] as const) {
      const fill = seededRandomFill(mode === 'local' ? 5 : 6)
      const n = 20_000
      let s = 0
      let s2 = 0
      for (let i = 0; i < n; i++) {
        const v = noisedClipBit(0.5, round(mode), fill) - 0.5
        s += v
        s2 += v * v
      }
      const std = Math.sqrt(s2 / n - (s / n) ** 2)
      expect(Math.abs(s / n)).toBeLessThan((5 * want) / Math.sqrt(n))
      expect(Math.abs(std - want)).toBeLessThan((5 * want) / Math.sqrt(2 * n))
    }
  })

  it('estimates the unclipped fraction with the fixed denominator and clamps it', () => {
    expect(unclippedFraction(0, 10)).toBe(0.5)
    expect(unclippedFraction(2.5, 10)).toBe(0.75)
    expect(unclippedFraction(100, 10)).toBe(1)
    expect(unclippedFraction(-100, 10)).toBe(0)
  })

  it('moves the clip norm against the error, by exp(−η(b̄ − γ)) (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (c, b, gamma) => {
        const next = nextClipNorm(c, b, { targetQuantile: gamma, learningRate: 0.2 })
        expect(next).toBeCloseTo(c * Math.exp(-0.2 * (b - gamma)), 9)
        if (b > gamma) expect(next).toBeLessThan(c)
        if (b < gamma) expect(next).toBeGreaterThan(c)
      }),
    )
  })

  it('converges to the target quantile of the update norms over private rounds', () => {
    // Norms log-normal with median 2 and 90th percentile 2·e^(0.5·1.2816); 100 devices a round.
    const fill = seededRandomFill(99)
    const words = new Uint32Array(2)
    const normal = (): number => {
      fill(words)
      const u1 = (words[0]! + 1) / 2 ** 32
      const u2 = words[1]! / 2 ** 32
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    }
    // Distributed mode with minClients = m puts σ_b on the cohort's sum, as TFF's central noise
    // does; local mode puts σ_b on every bit (√m·σ_b on the sum), noisier but still centred.
    const cases = [
      { gamma: 0.5, mode: 'distributed', tol: 0.1 },
      { gamma: 0.9, mode: 'distributed', tol: 0.1 },
      { gamma: 0.5, mode: 'local', tol: 0.25 },
    ] as const
    for (const { gamma, mode, tol } of cases) {
      const m = 100
      const adaptive = adaptiveClipRound({ noiseMultiplier: 1, expectedClients: m, targetQuantile: gamma })
      let c: number = ADAPTIVE_CLIP_DEFAULTS.initialClipNorm
      const late: number[] = []
      for (let t = 0; t < 300; t++) {
        const r: NoiseParams = { clipNorm: c, noiseMultiplier: 1, noiseMode: mode, minClients: m, adaptiveClipping: adaptive }
        let sum = 0
        for (let i = 0; i < m; i++) sum += noisedClipBit(2 * Math.exp(0.5 * normal()), r, fill)
        c = nextClipNorm(c, unclippedFraction(sum, m), adaptive)
        if (t >= 200) late.push(c)
      }
      const mean = late.reduce((a, b) => a + b, 0) / late.length
      const quantile = 2 * Math.exp(0.5 * (gamma === 0.5 ? 0 : 1.2816))
      expect(Math.abs(Math.log(mean / quantile)), `γ = ${gamma}, ${mode}: C ≈ ${mean.toFixed(3)}, quantile ${quantile.toFixed(3)}`).toBeLessThan(tol)
    }
  })
})
