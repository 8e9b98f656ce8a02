import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dirBytes, groupStats, parseStat, rssBytes } from './proc-stats.js'

describe('parseStat', () => {
  it('reads pid, command, process group and CPU seconds, command names with spaces included', () => {
    expect(parseStat('12 (workerd) S 1 12 12 0 -1 0 0 0 0 0 250 50 0 0 20 0')).toEqual({ pid: 12, comm: 'workerd', pgrp: 12, cpuS: 3 })
    expect(parseStat('7 (a (b) c) R 1 99 99 0 -1 0 0 0 0 0 1 2 0 0').comm).toBe('a (b) c')
    expect(() => parseStat('garbage')).toThrow(/not a \/proc stat line/)
  })
})

describe('/proc readers', () => {
  it('find this process in its own group and read its memory', () => {
    const self = parseStat(readFileSync('/proc/self/stat', 'utf8'))
    expect(self.pid).toBe(process.pid)
    const mine = groupStats(self.pgrp)
    expect(mine.some((s) => s.pid === process.pid)).toBe(true)
    expect(rssBytes(process.pid)).toBeGreaterThan(1 << 20)
    expect(rssBytes(-1)).toBe(0)
    expect(dirBytes(import.meta.dirname)).toBeGreaterThan(1000)
  })
})
