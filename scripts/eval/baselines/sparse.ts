/** Sparse building blocks shared by the baselines: per-session item sets, inverted index, top-N rows. */

import type { TrainData } from '../data.js'
import type { FitInfo, FitOptions, Recommender } from '../recommender.js'

/** Compressed rows of ids (and optionally values): row `r` is `idx[off[r]..off[r+1])`. */
export interface Csr {
  readonly off: Int32Array
  readonly idx: Int32Array
}

/** {@link Csr} with one float value per entry. */
export interface WeightedCsr extends Csr {
  readonly val: Float32Array
}

/** Bytes held by a set of typed arrays (what a model needs in memory to score). */
export function typedBytes(...arrays: readonly ArrayBufferView[]): number {
  let n = 0
  for (const a of arrays) n += a.byteLength
  return n
}

/**
 * The distinct items of each session, in order of first click. Repeat clicks carry no extra
 * signal for set-based similarities (session-rec keeps `set()`s of items per session too).
 * @example distinctSessions(parseTrainSessions('1 2 1\n')).idx // [1, 2]
 */
export function distinctSessions(data: TrainData): Csr {
  const stamp = new Int32Array(data.maxId + 1).fill(-1)
  const off = new Int32Array(data.sessionCount + 1)
  const tmp = new Int32Array(data.items.length)
  let k = 0
  for (let s = 0; s < data.sessionCount; s++) {
    for (let p = data.offsets[s]!; p < data.offsets[s + 1]!; p++) {
      const id = data.items[p]!
      if (stamp[id] !== s) {
        stamp[id] = s
        tmp[k++] = id
      }
    }
    off[s + 1] = k
  }
  return { off, idx: tmp.slice(0, k) }
}

/**
 * Inverted index item → sessions (ascending session index, i.e. oldest first) from a per-session
 * CSR. With distinct sessions each session appears once per item; with raw sessions once per
 * click (what association rules count).
 * @example invertIndex(distinctSessions(train), train.maxId)
 */
export function invertIndex(sessions: Csr, maxId: number): Csr {
  const off = new Int32Array(maxId + 2)
  for (let p = 0; p < sessions.idx.length; p++) off[sessions.idx[p]! + 1]!++
  for (let i = 1; i < off.length; i++) off[i] = off[i]! + off[i - 1]!
  const fill = off.slice(0, maxId + 1)
  const idx = new Int32Array(sessions.idx.length)
  const rows = sessions.off.length - 1
  for (let s = 0; s < rows; s++) {
    for (let p = sessions.off[s]!; p < sessions.off[s + 1]!; p++) {
      const id = sessions.idx[p]!
      idx[fill[id]!++] = s
    }
  }
  return { off, idx }
}

/**
 * Builds one sparse row per item: `accumulate(i, acc, touched)` adds raw values for row `i` into
 * the dense scratch `acc` (positive increments only) and lists each id it touches once in
 * `touched` (first touch = `acc[j]` was 0), returning how many it listed; `weight(i, j, raw)` turns a raw value into the stored one (return 0 to drop).
 * Each row keeps its `topN` largest entries under the order (value descending, id ascending)
 * — the same order the harness ranks by, so a row truncated at N is exact for every rank ≤ N.
 * @example
 * const rows = buildTopRows(maxId, (i, acc, touched) => 0, (_i, _j, c) => c, 100)
 */
export function buildTopRows(
  maxId: number,
  accumulate: (i: number, acc: Float64Array, touched: Int32Array) => number,
  weight: (i: number, j: number, raw: number) => number,
  topN: number,
): WeightedCsr {
  const acc = new Float64Array(maxId + 1)
  const touched = new Int32Array(maxId + 1)
  const vals = new Float64Array(maxId + 1)
  const off = new Int32Array(maxId + 2)
  let idxBuf = new Int32Array(1 << 16)
  let valBuf = new Float32Array(1 << 16)
  let k = 0
  const push = (j: number, v: number): void => {
    if (k === idxBuf.length) {
      const ni = new Int32Array(k * 2)
      ni.set(idxBuf)
      idxBuf = ni
      const nv = new Float32Array(k * 2)
      nv.set(valBuf)
      valBuf = nv
    }
    idxBuf[k] = j
    valBuf[k++] = v
  }
  for (let i = 1; i <= maxId; i++) {
    const n = accumulate(i, acc, touched)
    // Turn raw values into weights, dropping zeros; compact in place.
    let m = 0
    for (let t = 0; t < n; t++) {
      const j = touched[t]!
      const w = weight(i, j, acc[j]!)
      acc[j] = 0
      if (w !== 0 && Number.isFinite(w)) {
        touched[m] = j
        vals[j] = w
        m++
      }
    }
    const row = touched.subarray(0, m)
    if (m <= topN) {
      for (let t = 0; t < m; t++) push(row[t]!, vals[row[t]!]!)
    } else {
      // Threshold = N-th largest value (native typed sorts, no comparator callbacks).
      const v = new Float64Array(m)
      for (let t = 0; t < m; t++) v[t] = vals[row[t]!]!
      v.sort()
      const thr = v[m - topN]!
      let above = 0
      for (let t = 0; t < m; t++) if (vals[row[t]!]! > thr) above++
      let tiesLeft = topN - above
      row.sort() // ascending ids, so ties at the threshold keep the smallest ids
      for (let t = 0; t < m; t++) {
        const j = row[t]!
        const w = vals[j]!
        if (w > thr) push(j, w)
        else if (w === thr && tiesLeft > 0) {
          push(j, w)
          tiesLeft--
        }
      }
    }
    off[i + 1] = k
  }
  return { off, idx: idxBuf.slice(0, k), val: valBuf.slice(0, k) }
}

/**
 * The most recent id in `prefix` that the model knows (`known[id] === 1`), or 0 if none. Test
 * prefixes of the shared data hold only known ids; on other data an unknown last click falls
 * back to the click before it rather than to nothing.
 * @example lastKnown(Int32Array.of(3, 9), seen) // 9 if seen[9] === 1
 */
export function lastKnown(prefix: Int32Array, known: Uint8Array): number {
  for (let p = prefix.length - 1; p >= 0; p--) {
    const id = prefix[p]!
    if (id > 0 && id < known.length && known[id] === 1) return id
  }
  return 0
}

/**
 * Base of the models that recommend one stored row per last click (item-kNN, association rules):
 * subclasses build `rows` in `fit`; scoring copies the row of the last known click.
 * @example class Rules extends LastItemRows { … }
 */
export abstract class LastItemRows implements Recommender {
  abstract readonly name: string
  protected rows: WeightedCsr = { off: new Int32Array(2), idx: new Int32Array(0), val: new Float32Array(0) }
  protected known: Uint8Array = new Uint8Array(1)

  abstract fit(data: TrainData, opts: FitOptions): Promise<FitInfo>

  /** Bytes of the stored rows (the whole model). */
  protected rowBytes(): number {
    return typedBytes(this.rows.off, this.rows.idx, this.rows.val)
  }

  score(prefix: Int32Array, out: Float32Array): void {
    const last = lastKnown(prefix, this.known)
    if (last === 0) return
    const { off, idx, val } = this.rows
    for (let p = off[last]!; p < off[last + 1]!; p++) out[idx[p]!] = val[p]!
  }
}
