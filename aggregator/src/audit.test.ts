import { describe, expect, it } from 'vitest'
import { adaptiveClipRound } from './adaptive-clip.js'
import { auditPayload, repeatedNonces } from './audit.js'
import { decodeUpdate } from './protocol/update-codec.js'
import type { ModelLayout } from './protocol/tensor-layout.js'
import type { RoundConfig } from './round-config.js'
import { honestPayload } from './testing/payloads.js'

const layout: ModelLayout = [{ name: 'emb', shape: [60, 16] }, { name: 'out', shape: [16] }]
const round: RoundConfig = { roundId: 9, modelVersion: 4, clipNorm: 1, noiseMultiplier: 0.7, noiseMode: 'local', minClients: 3, expectedClients: 20, serverLearningRate: 1, sampleRate: 0.5, deadline: 0, adaptiveClipping: null }
const adaptive: RoundConfig = { ...round, adaptiveClipping: adaptiveClipRound({ noiseMultiplier: 0.7, expectedClients: 20 }) }

function violation(bytes: Uint8Array, opts: Parameters<typeof auditPayload>[1] = {}): string | null {
  const r = auditPayload(bytes, opts)
  expect(r.ok).toBe(r.violation === null)
  return r.violation?.check ?? null
}

describe('auditPayload', () => {
  it('passes honest payloads of both formats, with and without the model and the round', () => {
    for (const r of [round, adaptive, { ...adaptive, noiseMode: 'distributed' as const }]) {
      const { bytes } = honestPayload(r, layout, 5)
      const report = auditPayload(bytes, { layout, round: r })
      expect(report.violation).toBeNull()
      expect(report.checks.map((c) => c.name)).toEqual(['format', 'structure', 'finite', 'nonce', 'shapes', 'parameters', 'norm ≤ clip + noise', 'noise present', ...(r.adaptiveClipping ? ['clip bit'] : [])])
      expect(violation(bytes)).toBeNull()
    }
    const v1 = auditPayload(honestPayload(round, layout, 5, { v1: true }).bytes, { layout })
    expect(v1).toMatchObject({ ok: true, formatVersion: 1 })
  })

  it.each(['int8', 'int4'] as const)('audits %s payloads (format 3) byte for byte: scales, codes, rounding-widened norm range', (encoding) => {
    const r: RoundConfig = { ...adaptive, updateEncoding: encoding }
    const { bytes } = honestPayload(r, layout, 5)
    const report = auditPayload(bytes, { layout, round: r })
    expect(report).toMatchObject({ ok: true, formatVersion: 3 })
    const values = encoding === 'int8' ? 976 : 488
    expect(report.checks.find((c) => c.name === 'structure')?.detail).toContain(`${bytes.length} bytes = 56-byte numeric header (incl. 16-byte nonce) + 20-byte shape table + 4 float32 scales (one per 256 values) + ${values} bytes of 976 ${encoding} codes`)
    expect(bytes.length).toBe(56 + 20 + 16 + values)
    expect(violation(bytes, { layout, round: adaptive }), 'the round asks for float32').toBe('parameters')
    // Scales ×20: every value ×20, far beyond what clip, noise and rounding allow.
    const loud = bytes.slice()
    const dv = new DataView(loud.buffer)
    for (let b = 0; b < 4; b++) dv.setFloat32(76 + 4 * b, dv.getFloat32(76 + 4 * b, true) * 20, true)
    expect(violation(loud, { round: r })).toBe('norm ≤ clip + noise')
    const unused = bytes.slice()
    unused[92] = encoding === 'int8' ? 0x80 : 0x88
    expect(auditPayload(unused).violation?.reason).toMatch(/^malformed: value 0 has code -/)
  })

  it('says a distributed payload needs minClients before its noise floor can be checked', () => {
    const { bytes } = honestPayload({ ...round, noiseMode: 'distributed' }, layout, 5)
    expect(auditPayload(bytes).checks.find((c) => c.name === 'noise present')?.detail).toMatch(/--min-clients/)
    expect(violation(bytes, { minClients: 3 })).toBeNull()
  })

  it('names the violation of every kind of tampering', () => {
    const good = honestPayload(adaptive, layout, 5).bytes
    const cases: [string, Uint8Array, string, Parameters<typeof auditPayload>[1]?][] = []
    const magic = good.slice()
    magic[0] = 0x7b // '{'
    cases.push(['not a payload', magic, 'format'])
    const version = good.slice()
    version[4] = 9
    cases.push(['unknown version', version, 'format'])
    const withString = new Uint8Array([...good, ...new TextEncoder().encode('user-1234')])
    cases.push(['a string appended', withString, 'structure'])
    const nan = good.slice()
    new DataView(nan.buffer).setFloat32(nan.length - 8, Number.NaN, true)
    cases.push(['NaN', nan, 'structure'])
    const flagged = good.slice()
    flagged[7] = 0x81
    cases.push(['unknown flag', flagged, 'structure'])
    cases.push(['other shapes', honestPayload(adaptive, [{ name: 'x', shape: [976] }], 5).bytes, 'shapes', { layout }])
    const loud = decodeUpdate(good)
    const big = good.slice()
    const dv = new DataView(big.buffer)
    const off = big.length - 4 * loud.data.length
    for (let i = 0; i < loud.data.length; i++) dv.setFloat32(off + 4 * i, loud.data[i]! * 20, true)
    cases.push(['norm far above clip + noise', big, 'norm ≤ clip + noise'])
    cases.push(['no noise', honestPayload(round, layout, 5, { noise: false }).bytes, 'noise present'])
    const bit = good.slice()
    new DataView(bit.buffer).setFloat32(44, 500, true)
    cases.push(['clip bit out of range', bit, 'clip bit'])
    const nonce = good.slice()
    nonce.fill(7, 24, 40)
    cases.push(['constant nonce', nonce, 'nonce'])
    cases.push(['another round', good, 'parameters', { round: { ...adaptive, roundId: 10 } }])
    const zBad = good.slice()
    new DataView(zBad.buffer).setFloat32(40, 0.01, true) // σ_b too small for z: no z_Δ exists
    cases.push(['inconsistent header', zBad, 'parameters'])
    for (const [what, bytes, check, opts] of cases) {
      const r = auditPayload(bytes, opts)
      expect({ what, check: r.violation?.check }).toEqual({ what, check })
      expect(r.violation?.reason.length).toBeGreaterThan(10)
    }
  })

  it('finds a nonce reused across payloads', () => {
    const a = decodeUpdate(honestPayload(round, layout, 1).bytes)
    const b = decodeUpdate(honestPayload(round, layout, 2).bytes)
    expect(repeatedNonces([a, b])).toEqual([])
    expect(repeatedNonces([a, b, a])).toHaveLength(1)
  })
})
