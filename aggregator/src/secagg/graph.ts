/**
 * The neighbour graph of SecAgg+ (Bell et al., CCS 2020): instead of every pair of clients
 * agreeing keys and sharing secrets (Bonawitz et al., CCS 2017: O(n) work per client), each
 * client does so only with its k neighbours in a k-regular graph with k = O(log n). We use the
 * Harary graph (a ring where each node links to the k/2 nearest on each side) over a random
 * permutation of the clients, drawn by the server after the keys are advertised.
 */
import { cryptoRandomFill, type RandomFill } from '../noise.js'

/** Which clients share with whom: for each client index, its neighbours (sorted, never itself). */
export type NeighbourGraph = ReadonlyMap<number, readonly number[]>

/** Defaults of {@link neighbourDegree}. */
export const GRAPH_DEFAULTS = {
  /** Fraction of clients assumed to drop out, independently, by the unmasking step. */
  dropout: 1 / 3,
  /** Acceptable probability that some client's secrets cannot be reconstructed. */
  failure: 1e-6,
} as const

/**
 * Shamir threshold for a client with k neighbours: ⌊k/2⌋ + 1, a strict majority. A server that
 * colludes with fewer than t of a client's neighbours learns nothing of its secrets; at most
 * k − t neighbours may drop before they become unrecoverable.
 * @example shareThreshold(9) // 5
 */
export function shareThreshold(degree: number): number {
  if (!Number.isInteger(degree) || degree < 1) throw new RangeError(`degree ${degree} must be a positive integer`)
  return Math.floor(degree / 2) + 1
}

/** P(Bin(k, p) ≥ m), summed in log space so large k does not underflow. */
function binomialTail(k: number, p: number, m: number): number {
  let logC = 0
  let s = 0
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(k - i + 1) - Math.log(i)
    if (i >= m) s += Math.exp(logC + i * Math.log(p) + (k - i) * Math.log1p(-p))
  }
  return s
}

/**
 * Degree k of the neighbour graph for a cohort of n: the smallest even k such that, with each
 * client dropping independently with probability `dropout`, the chance that any of the n clients
 * keeps fewer than t = ⌊k/2⌋ + 1 live neighbours is at most `failure` (a union bound over
 * clients of a binomial tail). The tail falls exponentially in k, so k grows like log n (Bell et
 * al. 2020, Thm 3.6): 312 at n = 1,000, 426 at n = 10^6. Small cohorts get the complete graph
 * (k = n − 1), which is the original SecAgg.
 * @example neighbourDegree(10) // 9: complete
 */
export function neighbourDegree(n: number, opts: { readonly dropout?: number; readonly failure?: number } = {}): number {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`cohort size ${n} must be an integer ≥ 2`)
  const dropout = opts.dropout ?? GRAPH_DEFAULTS.dropout
  const failure = opts.failure ?? GRAPH_DEFAULTS.failure
  if (!(dropout > 0 && dropout < 1)) throw new RangeError(`dropout ${dropout} must be in (0, 1)`)
  if (!(failure > 0 && failure < 1)) throw new RangeError(`failure ${failure} must be in (0, 1)`)
  for (let k = 2; k < n - 1; k += 2) {
    const t = shareThreshold(k)
    if (n * binomialTail(k, dropout, k - t + 1) <= failure) return k
  }
  return n - 1
}

/** A uniform integer in [0, bound) from 32-bit words, by rejection (no modulo bias). */
function uniformBelow(bound: number, fill: RandomFill, word: Uint32Array): number {
  const limit = Math.floor(2 ** 32 / bound) * bound
  for (;;) {
    fill(word)
    if (word[0]! < limit) return word[0]! % bound
  }
}

/**
 * Builds the graph over `members` (cohort indices): complete when k ≥ n − 1, otherwise the Harary
 * graph H(k, n) over a uniformly random order of the members (Fisher–Yates with a cryptographic
 * source). Every member then has exactly min(k, n − 1) neighbours and the relation is symmetric.
 * @example const g = buildNeighbourGraph([0, 1, 2, 3, 4], 2)
 */
export function buildNeighbourGraph(members: readonly number[], degree: number, fill: RandomFill = cryptoRandomFill): NeighbourGraph {
  const n = members.length
  if (new Set(members).size !== n) throw new RangeError('members must be distinct')
  const graph = new Map<number, number[]>()
  if (degree >= n - 1) {
    for (const u of members) graph.set(u, members.filter((v) => v !== u).sort((a, b) => a - b))
    return graph
  }
  if (degree < 2 || degree % 2 !== 0) throw new RangeError(`a sparse neighbour graph needs an even degree ≥ 2, got ${degree}`)
  const order = [...members]
  const word = new Uint32Array(1)
  for (let i = n - 1; i > 0; i--) {
    const j = uniformBelow(i + 1, fill, word)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const half = degree / 2
  order.forEach((u, pos) => {
    const ns: number[] = []
    for (let d = 1; d <= half; d++) ns.push(order[(pos + d) % n]!, order[(pos - d + n) % n]!)
    graph.set(u, ns.sort((a, b) => a - b))
  })
  return graph
}
