/** Session data sets in the shared SR-GNN text format: parsing, validation, subsamples, splits. */

import { readFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'

/**
 * Training sessions in compressed-row form: session `s` is `items[offsets[s]..offsets[s+1])`,
 * oldest click first, sessions in file order (the SR-GNN preprocessing writes them sorted by
 * session date, so a higher index means a more recent session).
 */
export interface TrainData {
  /** Every click of every session, concatenated. */
  readonly items: Int32Array
  /** `sessionCount + 1` offsets into `items`. */
  readonly offsets: Int32Array
  readonly sessionCount: number
  /** Largest item id seen in training: score arrays have `maxId + 1` slots, slot 0 unused. */
  readonly maxId: number
  /** The catalogue: every distinct item id seen in training, ascending. */
  readonly catalogue: Int32Array
  /** `seen[id] === 1` iff `id` is in the catalogue (length `maxId + 1`). */
  readonly seen: Uint8Array
}

/** Test cases in compressed-row form: case `c` predicts `targets[c]` after `prefix(c)`. */
export interface TestCases {
  readonly prefixItems: Int32Array
  readonly prefixOffsets: Int32Array
  readonly targets: Int32Array
  readonly count: number
}

/** A data set directory loaded in full. */
export interface Dataset {
  /** Directory base name, e.g. `diginetica`. */
  readonly name: string
  readonly dir: string
  readonly train: TrainData
  readonly test: TestCases
}

/**
 * A data file that does not follow the format; `line` is 1-based.
 * @example
 * try { parseTrainSessions('1 2\n3 x\n', 'train') } catch (e) { (e as DataFormatError).line } // 2
 */
export class DataFormatError extends Error {
  override readonly name = 'DataFormatError'
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}:${line}: ${detail}`, options)
  }
}

const SPACE = 32
const TAB = 9
const CR = 13
const ZERO = 48
const NINE = 57
/** Ids are stored in Int32Array; anything larger is certainly not a renumbered SR-GNN id. */
const MAX_ID = 0x7fffffff

/** Growable Int32 buffer, so parsing a large file allocates O(log n) times. */
class IntBuffer {
  data = new Int32Array(1024)
  length = 0
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = v
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length)
  }
}

/**
 * Parses space-separated positive integer ids in `text[start, end)` into `out`; returns how many
 * were read. Throws a {@link DataFormatError} naming the line and the offending character.
 */
function parseIds(
  text: string,
  start: number,
  end: number,
  out: IntBuffer,
  file: string,
  line: number,
  what: string,
): number {
  let n = 0
  let value = -1
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : SPACE
    if (c >= ZERO && c <= NINE) {
      value = value < 0 ? c - ZERO : value * 10 + (c - ZERO)
      if (value > MAX_ID) throw new DataFormatError(file, line, `${what}: item id too large`)
    } else if (c === SPACE) {
      if (value >= 0) {
        if (value === 0) throw new DataFormatError(file, line, `${what}: item id 0 (ids start at 1)`)
        out.push(value)
        n++
        value = -1
      }
    } else {
      const shown = JSON.stringify(text[i])
      throw new DataFormatError(
        file,
        line,
        `${what}: unexpected character ${shown} at column ${i - start + 1} (expected item ids separated by spaces)`,
      )
    }
  }
  return n
}

/** Calls `fn(start, end, lineNo)` for each line, with a trailing `\r` stripped. */
function forEachLine(text: string, fn: (start: number, end: number, line: number) => void): void {
  let start = 0
  let line = 1
  const len = text.length
  while (start < len) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = len
    const next = end + 1
    if (end > start && text.charCodeAt(end - 1) === CR) end--
    fn(start, end, line)
    start = next
    line++
  }
}

/** True if the line is blank, which is tolerated only after the last data line. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c !== SPACE && c !== TAB) return false
  }
  return true
}

/** Rejects blank lines that are followed by data (a truncated or concatenated file). */
function blankGuard(file: string): (blank: boolean, line: number) => void {
  let firstBlank = 0
  return (blank, line) => {
    if (blank) {
      if (firstBlank === 0) firstBlank = line
    } else if (firstBlank !== 0) {
      throw new DataFormatError(file, firstBlank, 'empty line before the end of the file')
    }
  }
}

/** Builds a {@link TrainData} from CSR arrays, deriving `maxId`, `catalogue` and `seen`. */
export function makeTrainData(items: Int32Array, offsets: Int32Array): TrainData {
  let maxId = 0
  for (let i = 0; i < items.length; i++) if (items[i]! > maxId) maxId = items[i]!
  const seen = new Uint8Array(maxId + 1)
  let distinct = 0
  for (let i = 0; i < items.length; i++) {
    const id = items[i]!
    if (seen[id] === 0) {
      seen[id] = 1
      distinct++
    }
  }
  const catalogue = new Int32Array(distinct)
  for (let id = 1, k = 0; id <= maxId; id++) if (seen[id] === 1) catalogue[k++] = id
  return { items, offsets, sessionCount: offsets.length - 1, maxId, catalogue, seen }
}

/**
 * Parses `train_sessions.txt`: one session per line, item ids separated by spaces.
 * @example
 * const t = parseTrainSessions('1 2\n3 4 5\n')
 * t.sessionCount // 2
 */
export function parseTrainSessions(text: string, file = 'train_sessions.txt'): TrainData {
  const items = new IntBuffer()
  const offsets = new IntBuffer()
  offsets.push(0)
  const guard = blankGuard(file)
  forEachLine(text, (start, end, line) => {
    const blank = isBlank(text, start, end)
    guard(blank, line)
    if (blank) return
    parseIds(text, start, end, items, file, line, 'session')
    offsets.push(items.length)
  })
  if (offsets.length < 2) throw new DataFormatError(file, 1, 'no training sessions')
  return makeTrainData(items.toArray(), offsets.toArray())
}

/**
 * Parses `test.tsv`: a prefix (ids separated by spaces), one TAB, the id clicked next.
 * @example
 * const c = parseTestCases('1 2\t3\n1\t2\n')
 * c.count // 2
 */
export function parseTestCases(text: string, file = 'test.tsv'): TestCases {
  const prefixItems = new IntBuffer()
  const prefixOffsets = new IntBuffer()
  const targets = new IntBuffer()
  prefixOffsets.push(0)
  const scratch = new IntBuffer()
  const guard = blankGuard(file)
  forEachLine(text, (start, end, line) => {
    const blank = isBlank(text, start, end)
    guard(blank, line)
    if (blank) return
    const tab = text.indexOf('\t', start)
    if (tab < 0 || tab >= end) {
      throw new DataFormatError(file, line, 'no TAB between the prefix and the next item')
    }
    if (text.indexOf('\t', tab + 1) >= 0 && text.indexOf('\t', tab + 1) < end) {
      throw new DataFormatError(file, line, 'more than one TAB (expected: prefix TAB next-item)')
    }
    const n = parseIds(text, start, tab, prefixItems, file, line, 'prefix')
    if (n === 0) throw new DataFormatError(file, line, 'empty prefix')
    scratch.length = 0
    const m = parseIds(text, tab + 1, end, scratch, file, line, 'next item')
    if (m !== 1) {
      throw new DataFormatError(file, line, `expected exactly one next item after the TAB, found ${m}`)
    }
    targets.push(scratch.data[0]!)
    prefixOffsets.push(prefixItems.length)
  })
  if (targets.length === 0) throw new DataFormatError(file, 1, 'no test cases')
  return {
    prefixItems: prefixItems.toArray(),
    prefixOffsets: prefixOffsets.toArray(),
    targets: targets.toArray(),
    count: targets.length,
  }
}

/**
 * Loads `DIR/train_sessions.txt` and `DIR/test.tsv`.
 * @example
 * const ds = await loadDataset('../shared/data/diginetica')
 * ds.train.catalogue.length // 43097
 */
export async function loadDataset(dir: string): Promise<Dataset> {
  const abs = resolve(dir)
  const read = async (f: string): Promise<string> => {
    const path = join(abs, f)
    try {
      return await readFile(path, 'utf8')
    } catch (cause) {
      throw new Error(`cannot read ${path}: a data set directory holds train_sessions.txt and test.tsv`, {
        cause,
      })
    }
  }
  const [trainText, testText] = await Promise.all([read('train_sessions.txt'), read('test.tsv')])
  const train = parseTrainSessions(trainText, join(abs, 'train_sessions.txt'))
  const test = parseTestCases(testText, join(abs, 'test.tsv'))
  return { name: basename(abs), dir: abs, train, test }
}

/**
 * Session `s` of the training data, as a view (no copy).
 * @example const first = sessionAt(train, 0) // Int32Array [1, 2]
 */
export function sessionAt(data: TrainData, s: number): Int32Array {
  return data.items.subarray(data.offsets[s]!, data.offsets[s + 1]!)
}

/**
 * Prefix of test case `c`, as a view (no copy).
 * @example const p = prefixAt(cases, 0)
 */
export function prefixAt(cases: TestCases, c: number): Int32Array {
  return cases.prefixItems.subarray(cases.prefixOffsets[c]!, cases.prefixOffsets[c + 1]!)
}

/**
 * Sessions `[from, to)` as a new {@link TrainData} (catalogue recomputed from those sessions).
 * @example const recent = sliceSessions(train, train.sessionCount - 1000, train.sessionCount)
 */
export function sliceSessions(data: TrainData, from: number, to: number): TrainData {
  const a = data.offsets[from]!
  const b = data.offsets[to]!
  const items = data.items.slice(a, b)
  const offsets = new Int32Array(to - from + 1)
  for (let s = from; s <= to; s++) offsets[s - from] = data.offsets[s]! - a
  return makeTrainData(items, offsets)
}

/**
 * Keeps the cases whose indices are listed (ascending or not), as a new {@link TestCases}.
 * @example const firstTen = selectCases(cases, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
 */
export function selectCases(cases: TestCases, indices: ArrayLike<number>): TestCases {
  let total = 0
  for (let i = 0; i < indices.length; i++) {
    const c = indices[i]!
    total += cases.prefixOffsets[c + 1]! - cases.prefixOffsets[c]!
  }
  const prefixItems = new Int32Array(total)
  const prefixOffsets = new Int32Array(indices.length + 1)
  const targets = new Int32Array(indices.length)
  let k = 0
  for (let i = 0; i < indices.length; i++) {
    const c = indices[i]!
    const p = prefixAt(cases, c)
    prefixItems.set(p, k)
    k += p.length
    prefixOffsets[i + 1] = k
    targets[i] = cases.targets[c]!
  }
  return { prefixItems, prefixOffsets, targets, count: indices.length }
}

/**
 * Every `ceil(count / max)`-th case starting with the first, so at most `max` cases spread
 * evenly over the file (which runs in time order). Deterministic: no random numbers involved.
 * @example strideCases(cases, 5000).count // ≤ 5000
 */
export function strideCases(cases: TestCases, max: number): TestCases {
  if (cases.count <= max) return cases
  const step = Math.ceil(cases.count / max)
  const idx: number[] = []
  for (let c = 0; c < cases.count; c += step) idx.push(c)
  return selectCases(cases, idx)
}

/**
 * All next-item cases of the given sessions, in the same order as `test.tsv` lists them for a
 * test session (longest prefix first): for a session of length L, the prefixes of length
 * L-1 … 1, each followed by its next click. This is how SR-GNN expands test sessions.
 * @example expandSessions(parseTrainSessions('1 2 3\n')).count // 2
 */
export function expandSessions(data: TrainData): TestCases {
  const prefixItems = new IntBuffer()
  const prefixOffsets = new IntBuffer()
  const targets = new IntBuffer()
  prefixOffsets.push(0)
  for (let s = 0; s < data.sessionCount; s++) {
    const sess = sessionAt(data, s)
    for (let len = sess.length - 1; len >= 1; len--) {
      for (let i = 0; i < len; i++) prefixItems.push(sess[i]!)
      prefixOffsets.push(prefixItems.length)
      targets.push(sess[len]!)
    }
  }
  return {
    prefixItems: prefixItems.toArray(),
    prefixOffsets: prefixOffsets.toArray(),
    targets: targets.toArray(),
    count: targets.length,
  }
}

/** A fit part and held-out next-item cases carved from the end of the training sessions. */
export interface ValidationSplit {
  readonly fit: TrainData
  readonly cases: TestCases
  /** Sessions in the fit part and in the held-out part. */
  readonly fitSessions: number
  readonly heldOutSessions: number
}

/**
 * Carves a validation split from the END of the training sessions (the most recent ones, which
 * is where the test period sits): the last `fraction` of sessions become next-item cases (every
 * prefix, as in `test.tsv`, at most `maxCases` of them by {@link strideCases}), the rest is the
 * fit part. Tune hyperparameters on this, never on `test.tsv`.
 * @example const { fit, cases } = carveValidation(train, 0.1, 10000)
 */
export function carveValidation(data: TrainData, fraction: number, maxCases: number): ValidationSplit {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError('fraction must be in (0, 1)')
  const held = Math.max(1, Math.floor(data.sessionCount * fraction))
  const cut = data.sessionCount - held
  const fit = sliceSessions(data, 0, cut)
  const heldOut = sliceSessions(data, cut, data.sessionCount)
  const cases = strideCases(expandSessions(heldOut), maxCases)
  return { fit, cases, fitSessions: cut, heldOutSessions: held }
}

/** Definition of `--quick`: a deterministic, smaller version of a data set. */
export const QUICK = {
  /** The most recent training sessions kept (the last lines of train_sessions.txt). */
  trainSessions: 20_000,
  /** At most this many test cases, every ceil(T / 5000)-th line of test.tsv from the first. */
  testCases: 5_000,
} as const

/**
 * The `--quick` subsample: the most recent {@link QUICK}.trainSessions training sessions (the
 * catalogue becomes the items they contain, so the ranking stays "whole catalogue" for that
 * smaller data set) and an evenly strided {@link QUICK}.testCases test cases.
 * @example const q = quickSubsample(ds); q.test.count // 5000
 */
export function quickSubsample(ds: Dataset): Dataset & { readonly description: string } {
  const s = ds.train.sessionCount
  const from = Math.max(0, s - QUICK.trainSessions)
  const train = sliceSessions(ds.train, from, s)
  const test = strideCases(ds.test, QUICK.testCases)
  const step = Math.ceil(ds.test.count / QUICK.testCases)
  const description =
    `--quick subsample: training sessions ${from + 1}..${s} of ${s} (the most recent ` +
    `${s - from}), ${train.catalogue.length} items; test cases: every ${step}-th line of ` +
    `test.tsv from line 1 (${test.count} of ${ds.test.count})`
  return { ...ds, train, test, description }
}

/**
 * The cases whose next item is already in the prefix (a repeat: 20.5 % of Diginetica's test
 * cases, 9.1 % the very last click) and the others, for reporting a model on each.
 * @example const { repeat, fresh } = splitRepeats(cases)
 */
export function splitRepeats(cases: TestCases): { repeat: TestCases; fresh: TestCases } {
  const repeat: number[] = []
  const fresh: number[] = []
  for (let c = 0; c < cases.count; c++) (prefixAt(cases, c).includes(cases.targets[c]!) ? repeat : fresh).push(c)
  return { repeat: selectCases(cases, repeat), fresh: selectCases(cases, fresh) }
}
