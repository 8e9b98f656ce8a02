/** Parsing, validation and splits of the shared session format. */

import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  carveValidation,
  DataFormatError,
  expandSessions,
  loadDataset,
  parseTestCases,
  parseTrainSessions,
  prefixAt,
  quickSubsample,
  QUICK,
  sessionAt,
  sliceSessions,
  splitRepeats,
  strideCases,
} from './data.js'

/** The DataFormatError thrown by `fn`, or a failed expectation. */
function formatError(fn: () => unknown): DataFormatError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(DataFormatError)
    return e as DataFormatError
  }
  throw new Error('expected a DataFormatError')
}

describe('parseTrainSessions', () => {
  it('reads sessions, catalogue and max id; tolerates CRLF, extra spaces and trailing blank lines', () => {
    const t = parseTrainSessions('3 1 3\r\n 7  2\n\n\n')
    expect(t.sessionCount).toBe(2)
    expect(Array.from(sessionAt(t, 0))).toEqual([3, 1, 3])
    expect(Array.from(sessionAt(t, 1))).toEqual([7, 2])
    expect(t.maxId).toBe(7)
    expect(Array.from(t.catalogue)).toEqual([1, 2, 3, 7])
    expect(t.seen[7]).toBe(1)
    expect(t.seen[4]).toBe(0)
  })

  it.each([
    ['1 2\n3 x\n', 2, /unexpected character "x" at column 3/],
    ['1 2\n3\t4\n', 2, /unexpected character "\\t"/],
    ['1 -2\n', 1, /unexpected character "-"/],
    ['1 2\n0 3\n', 2, /item id 0/],
    ['1 2\n\n3 4\n', 2, /empty line before the end/],
    ['1 99999999999\n', 1, /too large/],
    ['', 1, /no training sessions/],
  ])('rejects %j at line %i', (text, line, message) => {
    const e = formatError(() => parseTrainSessions(text, 'train.txt'))
    expect(e.line).toBe(line)
    expect(e.file).toBe('train.txt')
    expect(e.message).toMatch(message)
    expect(e.message.startsWith(`train.txt:${line}: `)).toBe(true)
  })
})

describe('parseTestCases', () => {
  it('reads prefix TAB next item', () => {
    const c = parseTestCases('1 2\t3\n4\t5\r\n')
    expect(c.count).toBe(2)
    expect(Array.from(prefixAt(c, 0))).toEqual([1, 2])
    expect(Array.from(prefixAt(c, 1))).toEqual([4])
    expect(Array.from(c.targets)).toEqual([3, 5])
  })

  it.each([
    ['1 2\t3\n1 2 3\n', 2, /no TAB/],
    ['1\t2\t3\n', 1, /more than one TAB/],
    ['1\t2\n\t3\n', 2, /empty prefix/],
    ['1\t\n', 1, /exactly one next item.*found 0/],
    ['1\t2 3\n', 1, /exactly one next item.*found 2/],
    ['1\t2\n1 a\t3\n', 2, /prefix: unexpected character "a"/],
    ['\n', 1, /no test cases/],
  ])('rejects %j at line %i', (text, line, message) => {
    const e = formatError(() => parseTestCases(text, 'test.tsv'))
    expect(e.line).toBe(line)
    expect(e.message).toMatch(message)
  })
})

describe('loadDataset', () => {
  it('names the missing file and the expected layout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-eval-'))
    await writeFile(join(dir, 'train_sessions.txt'), '1 2\n')
    await expect(loadDataset(dir)).rejects.toThrow(/test\.tsv.*train_sessions\.txt and test\.tsv/)
  })

  it('reports the full path and line of a malformed file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-eval-'))
    await writeFile(join(dir, 'train_sessions.txt'), '1 2\n')
    await writeFile(join(dir, 'test.tsv'), '1\t2\n1,2\t3\n')
    await expect(loadDataset(dir)).rejects.toThrow(`${join(dir, 'test.tsv')}:2: prefix: unexpected character ","`)
  })
})

describe('splits and subsamples', () => {
  const train = parseTrainSessions('1 2 3\n4 5\n6 7 8 9\n1 5\n2 6 2\n')

  it('expands sessions into prefixes, longest first (the order of test.tsv)', () => {
    const c = expandSessions(parseTrainSessions('1 2 3\n4 5\n'))
    expect(c.count).toBe(3)
    expect([0, 1, 2].map((i) => [Array.from(prefixAt(c, i)), c.targets[i]])).toEqual([
      [[1, 2], 3],
      [[1], 2],
      [[4], 5],
    ])
  })

  it('slices sessions and recomputes the catalogue', () => {
    const s = sliceSessions(train, 1, 3)
    expect(s.sessionCount).toBe(2)
    expect(Array.from(s.catalogue)).toEqual([4, 5, 6, 7, 8, 9])
  })

  it('strides evenly from the first case', () => {
    const c = expandSessions(train)
    const s = strideCases(c, 3)
    const step = Math.ceil(c.count / 3)
    expect(s.count).toBe(Math.ceil(c.count / step))
    expect(s.targets[1]).toBe(c.targets[step])
    expect(strideCases(c, 1000)).toBe(c)
  })

  it('carves validation from the most recent sessions only', () => {
    const v = carveValidation(train, 0.4, 100)
    expect(v.fitSessions).toBe(3)
    expect(v.heldOutSessions).toBe(2)
    expect(v.fit.sessionCount).toBe(3)
    // held out: "1 5" and "2 6 2" → 1→5, [2,6]→2, 2→6
    expect(Array.from(v.cases.targets)).toEqual([5, 2, 6])
    expect(() => carveValidation(train, 1, 10)).toThrow(RangeError)
  })

  it('documents the --quick subsample it takes', () => {
    const test = expandSessions(train)
    const q = quickSubsample({ name: 'x', dir: '/x', train, test })
    expect(q.train.sessionCount).toBe(Math.min(QUICK.trainSessions, train.sessionCount))
    expect(q.description).toMatch(/--quick subsample/)
  })
})

describe('splitRepeats', () => {
  it('splits the cases by whether the next item is already in the prefix, keeping their order', () => {
    const c = parseTestCases('1 2\t2\n3 4\t5\n6 7 6\t7\n8\t9\n')
    const { repeat, fresh } = splitRepeats(c)
    expect([repeat.count, fresh.count]).toEqual([2, 2])
    expect(Array.from(repeat.targets)).toEqual([2, 7])
    expect(Array.from(prefixAt(repeat, 1))).toEqual([6, 7, 6])
    expect(Array.from(fresh.targets)).toEqual([5, 9])
    expect(Array.from(prefixAt(fresh, 1))).toEqual([8])
  })
})
