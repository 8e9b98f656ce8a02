/** The machine a run measured: reported beside every result, since numbers mean nothing without it. */
import { execFileSync } from 'node:child_process'
import { cpus, freemem, loadavg, totalmem } from 'node:os'

export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly chromium: string
  readonly commit: string
  readonly date: string
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  readonly loadAtStart: number
}

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export function describeMachine(chromiumPath = process.env.FEDREC_CHROMIUM ?? '/usr/bin/chromium'): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: quiet(chromiumPath, ['--version']),
    commit: quiet('git', ['rev-parse', '--short', 'HEAD']),
    date: new Date().toISOString(),
    loadAtStart: loadavg()[0]!,
  }
}

/** One line: "AMD EPYC, 2 cores, 23 GiB, load 2.01 → 2.30, Node v20.20.0, Chromium 156, 2026-11-23". */
export function machineLine(m: MachineInfo, loadAtEnd = loadavg()[0]!): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${Math.round(freemem() / 2 ** 30)} free), load ${m.loadAtStart.toFixed(2)} → ${loadAtEnd.toFixed(2)}, Node ${m.node}, ${m.chromium}, commit ${m.commit}, ${m.date}`
}
