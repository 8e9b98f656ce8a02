/**
 * What the server stores for one client — its masked input — is indistinguishable from uniform
 * words, and decoding it alone yields nothing of the update. The same tests on the unmasked
 * quantised update fail, so they can tell the difference.
 */
import { describe, expect, it } from 'vitest'
import { addGaussianNoise } from '../noise.js'
import { clipInPlace } from '../clip.js'
import { maxHonestNorm } from '../privatize.js'
import { SecAggClient } from './client.js'
import type { CohortParams } from './messages.js'
import { dequantizeSum, quantizationScale, quantize } from './quantize.js'
import { SecAggServer } from './server.js'

const P = 1 << 16

/** Pearson χ² of the top byte of each word against 256 equiprobable bins. */
function chiSquareTopByte(words: Uint32Array): number {
  const bins = new Float64Array(256)
  for (const w of words) bins[w >>> 24]!++
  const e = words.length / 256
  let chi = 0
  for (const o of bins) chi += (o - e) ** 2 / e
  return chi
}

/** Kolmogorov–Smirnov statistic D of words / 2^32 against U(0, 1). */
function ksUniform(words: Uint32Array): number {
  const u = Float64Array.from(words, (w) => w / 2 ** 32).sort()
  let d = 0
  for (let i = 0; i < u.length; i++) d = Math.max(d, (i + 1) / u.length - u[i]!, u[i]! - i / u.length)
  return d
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0
  let mb = 0
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!
    mb += b[i]!
  }
  ma /= a.length
  mb /= b.length
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb)
    saa += (a[i]! - ma) ** 2
    sbb += (b[i]! - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

// χ² with 255 degrees of freedom: mean 255, sd √510 ≈ 22.6. 255 + 5 sd ≈ 368 has p < 1e-5.
const CHI_LIMIT = 368
// KS: P(√n·D > 2.3) ≈ 1e-4 (the Kolmogorov distribution's tail).
const KS_LIMIT = 2.3 / Math.sqrt(P)

describe('a single masked input', () => {
  it('is indistinguishable from uniform (χ², KS) and decodes to noise without the others', async () => {
    const params: CohortParams = { context: 'privacy', vectorLength: P, minSurvivors: 3 }
    const scale = quantizationScale({ cohortSize: 3, clipNorm: 1, noiseStd: 0.05 })
    // A realistic update: sparse-ish, clipped to C = 1, lightly noised.
    const x = new Float32Array(P)
    for (let i = 0; i < P; i += 7) x[i] = Math.sin(i)
    clipInPlace(x, 1)
    addGaussianNoise(x, 0.05)
    const input = quantize(x, scale)

    const server = new SecAggServer(params, { maxMembers: 3 })
    const clients = await Promise.all([0, 1, 2].map((i) => SecAggClient.create(params, i)))
    for (let i = 0; i < 3; i++) server.join()
    server.close()
    for (let i = 0; i < 3; i++) await server.receiveKeys(i, clients[i]!.advertise())
    server.close()
    for (let i = 0; i < 3; i++) server.receiveShares(i, await clients[i]!.shareKeys(server.roster(i)))
    server.close()
    const masked = await clients[0]!.maskInput(server.inbox(0), input)

    // The control: the unmasked quantised update is far from uniform on both tests.
    expect(chiSquareTopByte(input)).toBeGreaterThan(10 * CHI_LIMIT)
    expect(ksUniform(input)).toBeGreaterThan(10 * KS_LIMIT)
    // What the server stores:
    expect(chiSquareTopByte(masked)).toBeLessThan(CHI_LIMIT)
    expect(ksUniform(masked)).toBeLessThan(KS_LIMIT)

    // Decoding the masked vector alone, as if it were a sum, gives values uniform over the whole
    // int32 range divided by the scale (norm √P · 2^31 / (s√3)): far beyond anything an honest
    // clipped and noised update can have, and uncorrelated with the update.
    const decoded = dequantizeSum(masked, scale)
    const norm = Math.sqrt(decoded.reduce((s, v) => s + v * v, 0))
    expect(norm / ((Math.sqrt(P) * 2 ** 31) / (scale * Math.sqrt(3)))).toBeCloseTo(1, 1)
    expect(norm).toBeGreaterThan(50 * maxHonestNorm(1, 0.05, P))
    expect(Math.abs(correlation(decoded, x))).toBeLessThan(5 / Math.sqrt(P))
    // The same decoding of the unmasked input recovers it (to the rounding grid).
    const plain = dequantizeSum(input, scale)
    expect(correlation(plain, x)).toBeGreaterThan(0.999)
  })
})
