/**
 * `npm run -s audit -- FILE…`: decodes captured update payloads and checks, for a privacy
 * reviewer, that each holds only the documented numbers with as much noise as it claims
 * (aggregator/src/audit.ts). Prints a report; exits non-zero with the reason on any violation.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { auditPayload, decodeModel, repeatedNonces, type AuditOptions, type ModelLayout, type RoundConfig, type UpdatePayload } from '../aggregator/src/index.js'
import { isEntryPoint } from './entry-point.js'

export const USAGE = `Usage:
  npm run -s audit -- FILE [FILE…] [--model model.bin] [--round round.json] [--min-clients N] [--json]

Checks each captured update payload (the body of POST /v1/updates, e.g. from
fedrec.privacy.sentPayloads() or a proxy capture): format version, exact structure (numeric header,
shape table, then float32 values (format 2) or int8 / int4 codes with a float32 scale per 256
values (format 3), nothing else: no strings or identifiers), finite values, a norm within what
clip + noise (+ rounding) allow, a norm too large to lack the announced noise, the clip bit of
adaptive clipping within its noise; with several files, that no nonce repeats.

Options:
  --model FILE       a published model (GET /v1/model): shapes must match its layout exactly
  --round FILE       the round as GET /v1/round announced it (JSON): C, z, mode, round id,
                     value encoding and adaptive clipping must match, and its minClients fixes
                     the noise share
  --min-clients N    minClients of a distributed-mode round, when no --round is given
  --json             print the reports as JSON instead of text
  -h, --help         this text

Exit status: 0 when every payload passes, 1 on any violation (reason on the last line),
2 on a bad flag or an unreadable file. Format: docs/PAYLOAD.md.`

/** A bad flag or unreadable input: printed with exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Output sinks, replaceable in tests. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

function read(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path))
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

function readLayout(path: string): ModelLayout {
  try {
    return decodeModel(read(path, 'model')).description.layout
  } catch (e) {
    if (e instanceof UsageError) throw e
    throw new UsageError(`${path} is not a published model: ${e instanceof Error ? e.message : String(e)}`)
  }
}

function readRound(path: string): RoundConfig {
  const text = new TextDecoder().decode(read(path, 'round'))
  let r: unknown
  try {
    r = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  const o = r as Partial<RoundConfig> | null
  if (!o || typeof o.clipNorm !== 'number' || typeof o.noiseMultiplier !== 'number' || typeof o.roundId !== 'number' || typeof o.minClients !== 'number' || (o.noiseMode !== 'local' && o.noiseMode !== 'distributed')) {
    throw new UsageError(`${path} does not look like GET /v1/round (needs roundId, clipNorm, noiseMultiplier, noiseMode, minClients)`)
  }
  return o as RoundConfig
}

/**
 * The whole CLI: parse, audit, print; returns the exit status.
 * @example process.exitCode = main(['payload.bin', '--model', 'model.bin'])
 */
export function main(argv: readonly string[], io: CliIo = defaultIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { model: { type: 'string' }, round: { type: 'string' }, 'min-clients': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    })
    if (values.help) {
      io.out(`${USAGE}\n`)
      return 0
    }
    if (positionals.length === 0) throw new UsageError('no payload file given')
    const minClients = values['min-clients'] === undefined ? undefined : Number(values['min-clients'])
    if (minClients !== undefined && !(Number.isInteger(minClients) && minClients >= 1)) throw new UsageError(`--min-clients must be an integer ≥ 1, got '${values['min-clients']}'`)
    const opts: AuditOptions = {
      ...(values.model ? { layout: readLayout(values.model) } : {}),
      ...(values.round ? { round: readRound(values.round) } : {}),
      ...(minClients !== undefined ? { minClients } : {}),
    }
    const reports = positionals.map((file) => ({ file, report: auditPayload(read(file, 'payload'), opts) }))
    const decoded = reports.map((r) => r.report.payload).filter((p): p is UpdatePayload => p !== null)
    const repeated = repeatedNonces(decoded)
    const failures = reports.filter((r) => !r.report.ok).map((r) => `${r.file}: ${r.report.violation!.check}: ${r.report.violation!.reason}`)
    if (repeated.length > 0) failures.push(`nonce ${repeated.join(', ')} appears in more than one payload: it would link them like an identifier`)

    if (values.json) {
      io.out(`${JSON.stringify({ ok: failures.length === 0, repeatedNonces: repeated, payloads: reports.map(({ file, report }) => ({ file, ok: report.ok, bytes: report.bytes, formatVersion: report.formatVersion, checks: report.checks, violation: report.violation })) }, null, 2)}\n`)
    } else {
      const lines: string[] = []
      for (const { file, report } of reports) {
        lines.push(`${file}: ${report.bytes} bytes${report.formatVersion !== null ? `, format ${report.formatVersion}` : ''}`)
        const width = Math.max(...report.checks.map((c) => c.name.length))
        for (const c of report.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(width)}  ${c.detail}`)
      }
      if (reports.length > 1) lines.push(`${repeated.length === 0 ? 'ok  ' : 'FAIL'} nonces: ${reports.length} payloads, ${repeated.length === 0 ? 'no nonce repeats' : `${repeated.length} repeated`}`)
      lines.push(failures.length === 0 ? `PASS: ${reports.length} payload${reports.length > 1 ? 's' : ''}, no violation` : `VIOLATION: ${failures[0]}${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}`)
      io.out(`${lines.join('\n')}\n`)
    }
    if (failures.length > 0) {
      if (values.json) io.err(`audit: VIOLATION: ${failures[0]}\n`)
      return 1
    }
    return 0
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`audit: ${e.message}\n(run with --help for usage)\n`)
      return 2
    }
    throw e
  }
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
