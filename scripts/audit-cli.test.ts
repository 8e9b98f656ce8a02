import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { adaptiveClipRound, encodeModel, type ModelLayout, type RoundConfig } from '../aggregator/src/index.js'
import { honestPayload } from '../aggregator/src/testing/payloads.js'
import { main } from './audit-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'fedrec-audit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const layout: ModelLayout = [{ name: 'emb', shape: [40, 8] }, { name: 'bias', shape: [40] }]
const round: RoundConfig = { roundId: 3, modelVersion: 1, clipNorm: 0.5, noiseMultiplier: 1, noiseMode: 'local', minClients: 2, expectedClients: 40, serverLearningRate: 1, sampleRate: 0.1, deadline: 0, adaptiveClipping: adaptiveClipRound({ noiseMultiplier: 1, expectedClients: 40 }) }

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return path
}

function run(argv: string[]): { code: number; out: string; err: string; last: string } {
  let out = ''
  let err = ''
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err, last: out.trim().split('\n').at(-1) ?? '' }
}

const good = file('good.bin', honestPayload(round, layout, 1).bytes)
const good2 = file('good2.bin', honestPayload(round, layout, 2).bytes)
const model = file('model.bin', encodeModel({ version: 1, description: { layout, config: {}, vocab: [] }, weights: new Float32Array(360) }))
const roundJson = file('round.json', JSON.stringify(round))

describe('npm run -s audit', () => {
  it('passes honest payloads and prints one line per check', () => {
    const r = run([good, good2, '--model', model, '--round', roundJson])
    expect(r.code).toBe(0)
    expect(r.last).toBe('PASS: 2 payloads, no violation')
    expect(r.out).toMatch(/format 2/)
    for (const check of ['format', 'structure', 'finite', 'nonce', 'shapes', 'parameters', 'norm ≤ clip \\+ noise', 'noise present', 'clip bit']) expect(r.out).toMatch(new RegExp(`ok +${check}`))
    expect(r.out).toMatch(/ok {3}nonces: 2 payloads, no nonce repeats/)
  })

  it('audits int8 and int4 payloads (format 3) against an int8-row model and the round that asked for them', () => {
    const int8Model = file('model8.bin', encodeModel({ version: 1, description: { layout, config: {}, vocab: [] }, weights: new Float32Array(360).fill(0.25) }, { encoding: 'int8-rows' }))
    for (const encoding of ['int8', 'int4'] as const) {
      const r8: RoundConfig = { ...round, updateEncoding: encoding }
      const r = run([file(`${encoding}.bin`, honestPayload(r8, layout, 1).bytes), '--model', int8Model, '--round', file(`${encoding}.json`, JSON.stringify(r8))])
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/format 3/)
      expect(r.out).toMatch(new RegExp(`ok +structure .* 2 float32 scales \\(one per 256 values\\) \\+ ${encoding === 'int8' ? 360 : 180} bytes of 360 ${encoding} codes`))
      const mismatch = run([file(`${encoding}-f32.bin`, honestPayload(round, layout, 1).bytes), '--round', file(`${encoding}.json`, JSON.stringify(r8))])
      expect(mismatch.last).toMatch(new RegExp(`VIOLATION: .*parameters: .*float32.*${encoding}`))
    }
  })

  it('fails tampered payloads with the reason on the last line', () => {
    const bytes = honestPayload(round, layout, 1).bytes
    const cases: [string, Uint8Array, string][] = [
      ['id.bin', new Uint8Array([...bytes, ...new TextEncoder().encode('"device_id":"abc-123"')]), 'structure'],
      ['version.bin', Uint8Array.from(bytes, (b, i) => (i === 4 ? 7 : b)), 'format'],
      ['quiet.bin', honestPayload(round, layout, 1, { noise: false }).bytes, 'noise present'],
      ['shapes.bin', honestPayload(round, [{ name: 'x', shape: [360] }], 1).bytes, 'shapes'],
    ]
    for (const [name, b, check] of cases) {
      const r = run([file(name, b), '--model', model])
      expect({ name, code: r.code }).toEqual({ name, code: 1 })
      expect(r.last).toMatch(new RegExp(`^VIOLATION: .*${name}: ${check}: .{10,}`))
    }
    const other = run([good, '--round', file('round9.json', JSON.stringify({ ...round, roundId: 9 }))])
    expect(other.last).toMatch(/VIOLATION: .*parameters: .*round 9/)
  })

  it('finds a nonce sent twice', () => {
    const r = run([good, file('again.bin', honestPayload(round, layout, 1).bytes)])
    expect(r.code).toBe(1)
    expect(r.last).toMatch(/VIOLATION: nonce [0-9a-f]{32} appears in more than one payload/)
  })

  it('answers JSON with --json and usage errors with status 2', () => {
    const j = run([good, '--json'])
    expect(j.code).toBe(0)
    expect(JSON.parse(j.out)).toMatchObject({ ok: true, payloads: [{ ok: true, formatVersion: 2 }] })
    expect(run([]).code).toBe(2)
    expect(run([join(dir, 'missing.bin')]).err).toMatch(/cannot read payload/)
    expect(run([good, '--model', good]).err).toMatch(/not a published model/)
    expect(run([good, '--bogus']).code).toBe(2)
    expect(run(['--help']).out).toMatch(/Usage:/)
  })
})
