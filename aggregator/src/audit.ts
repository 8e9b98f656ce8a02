/**
 * Audit of one captured update payload, for privacy reviewers (`npm run -s audit -- FILE`):
 * decodes it and checks, from the bytes alone (optionally against the published model and the
 * round), that it holds nothing but the documented numbers, and noise as much as it claims.
 */
import { adaptiveClipRound } from './adaptive-clip.js'
import { l2Norm } from './clip.js'
import { PayloadRejectedError } from './errors.js'
import { honestNormRange, maxHonestClipBit } from './privatize.js'
import { layoutSize, shapesMatch, type ModelLayout } from './protocol/tensor-layout.js'
import { decodeUpdate, updateFormatVersion, NONCE_BYTES, UPDATE_HEADER_BYTES_BY_VERSION, type UpdateFormatVersion, type UpdatePayload } from './protocol/update-codec.js'
import { blockCount, codeBytes, QUANT_BLOCK, QUANT_LEVELS } from './protocol/update-encoding.js'
import { rowSubsetError, uploadLayout } from './row-subset.js'
import { clientIndicatorNoiseStd, clientNoiseStd, NoiseMode, roundUpdateEncoding, type NoiseParams, type RoundConfig } from './round-config.js'

/** What to audit against besides the bytes. */
export interface AuditOptions {
  /** Layout of the published model (`GET /v1/model`): the shapes must be exactly these. */
  readonly layout?: ModelLayout
  /** The round as `GET /v1/round` announced it: C, z, mode and adaptive clipping must match. */
  readonly round?: RoundConfig
  /** minClients of a `distributed` round when no round is given (fixes the noise share). */
  readonly minClients?: number
}

/** One check and what it found. */
export interface AuditCheck {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

/** The result: every check run, and the first violation (null when the payload passes). */
export interface AuditReport {
  readonly ok: boolean
  readonly bytes: number
  readonly formatVersion: number | null
  readonly payload: UpdatePayload | null
  readonly checks: readonly AuditCheck[]
  readonly violation: { readonly check: string; readonly reason: string } | null
}

function describe(u: UpdatePayload): string {
  const shapes = u.shapes.map((s) => `[${s.join('×')}]`).join(' ')
  return `round ${u.roundId}, model ${u.modelVersion}, C=${u.clipNorm}, z=${u.noiseMultiplier}, ${u.noiseMode}, ${u.encoding ?? 'float32'}, ${u.shapes.length} tensors ${shapes}`
}

/** Noise parameters the payload claims, completed from the round (or `minClients`) when given. */
function claimedNoise(u: UpdatePayload, opts: AuditOptions): NoiseParams {
  const minClients = opts.round?.minClients ?? opts.minClients ?? 1
  const adaptiveClipping = u.clipBit
    ? adaptiveClipRound({ noiseMultiplier: u.noiseMultiplier, expectedClients: 1, countNoiseStd: u.clipBit.countNoiseStd })
    : null
  return { clipNorm: u.clipNorm, noiseMultiplier: u.noiseMultiplier, noiseMode: u.noiseMode, minClients, adaptiveClipping }
}

/**
 * Runs every check that applies and reports each; stops at the first structural failure (a
 * payload that does not decode has nothing further to check).
 * @example
 * const report = auditPayload(bytes, { layout: decodeModel(modelBytes).description.layout })
 * if (!report.ok) console.error(report.violation)
 */
export function auditPayload(bytes: Uint8Array, opts: AuditOptions = {}): AuditReport {
  const checks: AuditCheck[] = []
  const add = (name: string, ok: boolean, detail: string): boolean => (checks.push({ name, ok, detail }), ok)
  const done = (formatVersion: number | null, payload: UpdatePayload | null): AuditReport => {
    const bad = checks.find((c) => !c.ok)
    return { ok: !bad, bytes: bytes.length, formatVersion, payload, checks, violation: bad ? { check: bad.name, reason: bad.detail } : null }
  }

  let version: UpdateFormatVersion
  try {
    version = updateFormatVersion(bytes)
    add('format', true, `"FRUP" magic, format version ${version}`)
  } catch (e) {
    add('format', false, e instanceof Error ? e.message : String(e))
    return done(null, null)
  }
  let u: UpdatePayload
  try {
    u = decodeUpdate(bytes)
  } catch (e) {
    const reason = e instanceof PayloadRejectedError ? `${e.reason}: ${e.message}` : String(e)
    add('structure', false, reason)
    return done(version, null)
  }
  const header = UPDATE_HEADER_BYTES_BY_VERSION[version]
  const shapeBytes = 4 * u.shapes.reduce((n, s) => n + 1 + s.length, 0)
  // decodeUpdate requires the exact length, zero reserved bits and known flags: every byte is
  // one of the documented numeric fields, so there is no room for a string or an identifier.
  const values = u.encoding
    ? `${blockCount(u.data.length)} float32 scales (one per ${QUANT_BLOCK} values) + ${codeBytes(u.data.length, u.encoding)} bytes of ${u.data.length} ${u.encoding} codes in ±${QUANT_LEVELS[u.encoding]}`
    : `${u.data.length} float32 values`
  add('structure', true, `${bytes.length} bytes = ${header}-byte numeric header (incl. ${NONCE_BYTES}-byte nonce) + ${shapeBytes}-byte shape table + ${values}; nothing else (${describe(u)})`)
  add('finite', true, `all ${u.data.length} values are finite${u.clipBit ? ', and so is the clip bit' : ''}`)
  const nonceBytes = new Set(u.nonce)
  add('nonce', nonceBytes.size > 1, nonceBytes.size > 1 ? 'nonce is not a constant byte string' : `nonce is ${NONCE_BYTES} copies of one byte: not a fresh random value`)

  if (opts.layout) {
    // A row-subset round's update carries the announced rows of one tensor (row-subset.ts).
    const subset = opts.round?.rowSubset ?? null
    const subsetError = subset ? rowSubsetError(opts.layout, subset) : null
    if (subsetError) {
      add('shapes', false, `the round's row subset does not fit the model: ${subsetError}`)
      return done(version, u)
    }
    const layout = uploadLayout(opts.layout, subset)
    const whose = subset ? `the round's rows of the model's` : `the model's`
    const want = layout.map((t) => `[${t.shape.join('×')}]`).join(' ')
    add('shapes', shapesMatch(u.shapes, layout), shapesMatch(u.shapes, layout) ? `tensors match ${whose} ${layout.length} tensors (${layoutSize(layout)} values)` : `tensor shapes do not match ${whose} ${want}`)
  }

  const r = opts.round
  if (r) {
    const same =
      Math.fround(r.clipNorm) === u.clipNorm &&
      Math.fround(r.noiseMultiplier) === u.noiseMultiplier &&
      r.noiseMode === u.noiseMode &&
      r.roundId === u.roundId &&
      roundUpdateEncoding(r) === (u.encoding ?? 'float32') &&
      !!r.adaptiveClipping === !!u.clipBit &&
      (!r.adaptiveClipping || Math.fround(r.adaptiveClipping.countNoiseStd) === u.clipBit?.countNoiseStd)
    add('parameters', same, same ? `C, z, mode and clipping match round ${r.roundId}` : `payload (${describe(u)}) does not carry the parameters of round ${r.roundId} (C=${r.clipNorm}, z=${r.noiseMultiplier}, ${r.noiseMode}, ${roundUpdateEncoding(r)}${r.adaptiveClipping ? ', adaptive clipping' : ''})`)
  }

  let noise: NoiseParams
  try {
    noise = r ? { ...r, adaptiveClipping: r.adaptiveClipping ?? null } : claimedNoise(u, opts)
  } catch (e) {
    add('parameters', false, `the header's z and clipped-count noise are inconsistent: ${e instanceof Error ? e.message : String(e)}`)
    return done(version, u)
  }
  const std = clientNoiseStd(noise)
  const norm = l2Norm(u.data)
  const range = honestNormRange(u.clipNorm, std, u.data.length, u.encoding)
  const upper = range.max
  const rounded = u.encoding ? ` and ${u.encoding} rounding` : ''
  add('norm ≤ clip + noise', norm <= upper, `‖Δ‖ = ${norm.toFixed(4)}; an update clipped to ${u.clipNorm} with noise std ${std.toPrecision(4)}${rounded} stays below ${upper.toFixed(4)}`)
  const distributedUnknown = u.noiseMode === NoiseMode.Distributed && !r && opts.minClients === undefined
  if (distributedUnknown) {
    add('noise present', true, 'skipped: a distributed-mode payload carries 1/√minClients of the noise; pass --min-clients or --round to check it')
  } else {
    const lower = range.min
    add('noise present', norm >= lower, norm >= lower ? `‖Δ‖ ≥ ${lower.toFixed(4)}, the least that noise of std ${std.toPrecision(4)} leaves` : `‖Δ‖ = ${norm.toFixed(4)} is below ${lower.toFixed(4)}: the announced noise of std ${std.toPrecision(4)} is not there`)
  }
  if (u.clipBit) {
    const bitStd = clientIndicatorNoiseStd(noise)
    const limit = maxHonestClipBit(bitStd)
    const ok = Math.abs(u.clipBit.value) <= limit
    add('clip bit', ok, `clip bit ${u.clipBit.value.toFixed(4)} ${ok ? 'lies within' : 'lies outside'} ±${limit.toFixed(4)} (±½ plus noise of std ${bitStd.toPrecision(4)})`)
  }
  return done(version, u)
}

/**
 * Checks that no nonce repeats across several captured payloads: a repeated one would be an
 * identifier linking them, not a one-time value.
 * @example repeatedNonces([a, b]) // [] when all differ
 */
export function repeatedNonces(payloads: readonly UpdatePayload[]): string[] {
  const seen = new Map<string, number>()
  for (const p of payloads) {
    const hex = Array.from(p.nonce, (b) => b.toString(16).padStart(2, '0')).join('')
    seen.set(hex, (seen.get(hex) ?? 0) + 1)
  }
  return [...seen].filter(([, n]) => n > 1).map(([hex]) => hex)
}
