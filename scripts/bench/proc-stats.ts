/** CPU time and memory of a process group from /proc (Linux): how many cores the edge really used. */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64 and arm64). */
const TICKS = 100

export interface ProcStat {
  readonly pid: number
  readonly comm: string
  readonly pgrp: number
  /** User + system CPU seconds so far. */
  readonly cpuS: number
}

/**
 * Parses one /proc/<pid>/stat line. The command name is in parentheses and may hold spaces.
 * @example parseStat('12 (workerd) S 1 12 12 0 -1 0 0 0 0 0 250 50 0 0') // { pid: 12, comm: 'workerd', pgrp: 12, cpuS: 3 }
 */
export function parseStat(line: string): ProcStat {
  const open = line.indexOf('(')
  const close = line.lastIndexOf(')')
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 40)}`)
  const rest = line.slice(close + 2).split(' ')
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { pid: Number(line.slice(0, open).trim()), comm: line.slice(open + 1, close), pgrp: Number(rest[2]), cpuS: (Number(rest[11]) + Number(rest[12])) / TICKS }
}

/** Every process of the group `pgrp`. */
export function groupStats(pgrp: number): ProcStat[] {
  const out: ProcStat[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const s = parseStat(readFileSync(`/proc/${d}/stat`, 'utf8'))
      if (s.pgrp === pgrp) out.push(s)
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

/** Resident memory of a process in bytes (VmRSS), or 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** Bytes of all files under `dir`. */
export function dirBytes(dir: string): number {
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0
  }
  return n
}
