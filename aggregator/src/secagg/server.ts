/**
 * The server's side of one secure-aggregation cohort, as a state machine with no I/O and no
 * clock: join → advertise keys → share keys → masked input → unmask. The adapter that owns
 * storage and timers (edge-worker's cohort Durable Object) feeds it messages and closes each step
 * when everyone still in has answered or the step's deadline passed. A step that ends with fewer
 * than `minSurvivors` clients abandons the run; an abandoned run never yields a partial sum.
 */
import { PayloadRejectedError, RejectReason } from '../errors.js'
import { cryptoRandomFill, type RandomFill } from '../noise.js'
import { seedCommitment, sharePoint } from './client.js'
import { agreeKey, contextDigest, expandMask, importPrivateScalar, importPublicKey, KdfLabel, SECRET_BYTES } from './crypto.js'
import { FIELD_BYTES } from './field.js'
import { buildNeighbourGraph, neighbourDegree, shareThreshold, type NeighbourGraph } from './graph.js'
import { SecAggStep, type AdvertiseKeys, type CohortParams, type Inbox, type Roster, type ShareKeys, type Survivors, type UnmaskShares } from './messages.js'
import { addWordsInPlace, subtractWordsInPlace } from './quantize.js'
import { combineShares, type Share } from './shamir.js'
import { SEALED_BUNDLE_BYTES } from './share-bundle.js'

/** What a finished run yields: the sum of exactly the `included` clients' inputs, mod 2^32. */
export interface SecAggResult {
  readonly sum: Uint32Array
  /** U3: the clients whose masked input arrived, sorted. */
  readonly included: readonly number[]
  /** Clients that joined but whose input is not in the sum. */
  readonly dropped: readonly number[]
}

export interface SecAggServerOptions {
  /** Most clients that may join. */
  readonly maxMembers: number
  /** Degree of the neighbour graph for n clients; default {@link neighbourDegree}. */
  readonly degree?: (n: number) => number
}

function reject(reason: RejectReason, message: string, status: 400 | 409 | 422 = 409): never {
  throw new PayloadRejectedError(reason, message, status)
}

/**
 * @example
 * const s = new SecAggServer(params, { maxMembers: 10 })
 * const i = s.join() // … each client; then s.close()
 * await s.receiveKeys(i, msg) // … then s.close(); s.roster(i) for each
 */
export class SecAggServer {
  private stepNow: SecAggStep = SecAggStep.Join
  private abandonReason: string | null = null
  private readonly members: number[] = []
  /** U1: advertised keys. */
  private readonly keys = new Map<number, AdvertiseKeys>()
  private graph: NeighbourGraph | null = null
  /** U2: sealed shares. */
  private readonly shares = new Map<number, ShareKeys>()
  /** U3, kept as a running sum: individual masked vectors are not needed once added. */
  private readonly maskedFrom = new Set<number>()
  private maskedSum: Uint32Array
  /** U4: revealed shares. */
  private readonly unmasks = new Map<number, UnmaskShares>()

  constructor(
    readonly params: CohortParams,
    private readonly opts: SecAggServerOptions,
  ) {
    if (!(params.minSurvivors >= 2)) throw new RangeError(`minSurvivors ${params.minSurvivors} must be at least 2: one input alone would be revealed`)
    if (opts.maxMembers < params.minSurvivors || opts.maxMembers > 0xffff) throw new RangeError(`maxMembers ${opts.maxMembers} must be in minSurvivors..65535`)
    this.maskedSum = new Uint32Array(params.vectorLength)
  }

  get step(): SecAggStep {
    return this.stepNow
  }

  /** Why the run was abandoned, or null. */
  get abandonedBecause(): string | null {
    return this.abandonReason
  }

  get memberCount(): number {
    return this.members.length
  }

  private expectStep(step: SecAggStep): void {
    if (this.stepNow !== step) reject(RejectReason.WrongStep, `the cohort is at step ${this.stepNow}, not ${step}`)
  }

  private expectIn(set: ReadonlySet<number> | ReadonlyMap<number, unknown>, i: number, what: string): void {
    if (!set.has(i)) reject(RejectReason.UnknownMember, `client ${i} is not among the clients that ${what}`)
  }

  /** Admits one client and returns its cohort index, or null when the cohort is full. */
  join(): number | null {
    this.expectStep(SecAggStep.Join)
    if (this.members.length >= this.opts.maxMembers) return null
    const i = this.members.length
    this.members.push(i)
    return i
  }

  /** Clients the current step still waits for (those in the previous step that have not answered). */
  awaited(): number[] {
    switch (this.stepNow) {
      case SecAggStep.AdvertiseKeys:
        return this.members.filter((i) => !this.keys.has(i))
      case SecAggStep.ShareKeys:
        return [...this.keys.keys()].filter((i) => !this.shares.has(i))
      case SecAggStep.MaskedInput:
        return [...this.shares.keys()].filter((i) => !this.maskedFrom.has(i))
      case SecAggStep.Unmask:
        return [...this.maskedFrom].filter((i) => !this.unmasks.has(i))
      default:
        return []
    }
  }

  /** Gives up; nothing is unmasked. */
  abandon(reason: string): void {
    if (this.stepNow === SecAggStep.Done) throw new Error('a finished run cannot be abandoned')
    this.stepNow = SecAggStep.Abandoned
    this.abandonReason = reason
  }

  private quorum(count: number, what: string): boolean {
    if (count >= this.params.minSurvivors) return true
    this.abandon(`only ${count} clients ${what}; the cohort needs ${this.params.minSurvivors}`)
    return false
  }

  /**
   * Ends the current step with whoever answered and moves on, or abandons below minSurvivors.
   * Closing the advertise step draws the neighbour graph; pass `graph` to replay a stored one.
   * The unmask step ends with {@link finish}, not here.
   * @returns the graph when the advertise step closed (to persist), otherwise null
   */
  close(opts: { readonly graph?: NeighbourGraph; readonly fill?: RandomFill } = {}): NeighbourGraph | null {
    switch (this.stepNow) {
      case SecAggStep.Join:
        if (this.quorum(this.members.length, 'joined')) this.stepNow = SecAggStep.AdvertiseKeys
        return null
      case SecAggStep.AdvertiseKeys: {
        if (!this.quorum(this.keys.size, 'advertised keys')) return null
        const u1 = [...this.keys.keys()].sort((a, b) => a - b)
        const degree = (this.opts.degree ?? neighbourDegree)(u1.length)
        this.graph = opts.graph ?? buildNeighbourGraph(u1, degree, opts.fill ?? cryptoRandomFill)
        this.stepNow = SecAggStep.ShareKeys
        return this.graph
      }
      case SecAggStep.ShareKeys:
        if (this.quorum(this.shares.size, 'shared their keys')) this.stepNow = SecAggStep.MaskedInput
        return null
      case SecAggStep.MaskedInput:
        if (this.quorum(this.maskedFrom.size, 'sent a masked input')) this.stepNow = SecAggStep.Unmask
        return null
      default:
        throw new Error(`step ${this.stepNow} is not closed with close()`)
    }
  }

  /**
   * Step 1: a client's public keys, checked to be points on P-256 and not copies of another's.
   * Accepted from a member while the cohort still fills, too: joining and advertising are one
   * round trip for the client.
   */
  async receiveKeys(i: number, msg: AdvertiseKeys, subtle: SubtleCrypto = crypto.subtle): Promise<void> {
    if (this.stepNow !== SecAggStep.Join) this.expectStep(SecAggStep.AdvertiseKeys)
    if (!this.members.includes(i)) reject(RejectReason.UnknownMember, `client ${i} did not join this cohort`)
    if (this.keys.has(i)) reject(RejectReason.Replay, `client ${i} already advertised its keys`)
    try {
      await Promise.all([importPublicKey(msg.encryptionKey, subtle), importPublicKey(msg.maskingKey, subtle)])
    } catch (e) {
      throw new PayloadRejectedError(RejectReason.Malformed, 'public keys must be uncompressed P-256 points', 400, { cause: e })
    }
    const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
    const seen = new Set([...this.keys.values()].flatMap((k) => [hex(k.encryptionKey), hex(k.maskingKey)]))
    if (seen.has(hex(msg.encryptionKey)) || seen.has(hex(msg.maskingKey)) || hex(msg.encryptionKey) === hex(msg.maskingKey)) {
      reject(RejectReason.Replay, 'a public key may be advertised once only', 409)
    }
    this.keys.set(i, { encryptionKey: msg.encryptionKey.slice(), maskingKey: msg.maskingKey.slice() })
  }

  private neighbours(i: number): readonly number[] {
    return this.graph?.get(i) ?? []
  }

  /** After step 1: client i's neighbours with their keys, and the threshold it must share with. */
  roster(i: number): Roster {
    if (!this.graph) reject(RejectReason.WrongStep, 'the roster exists once the advertise step closed')
    this.expectIn(this.keys, i, 'advertised keys')
    const neighbours = this.neighbours(i).map((v) => ({ index: v, ...this.keys.get(v)! }))
    return { threshold: shareThreshold(neighbours.length), neighbours }
  }

  /** Step 2: one sealed bundle for each of the client's roster neighbours, exactly. */
  receiveShares(i: number, msg: ShareKeys): void {
    this.expectStep(SecAggStep.ShareKeys)
    this.expectIn(this.keys, i, 'advertised keys')
    if (this.shares.has(i)) reject(RejectReason.Replay, `client ${i} already shared its keys`)
    const want = [...this.neighbours(i)].sort((a, b) => a - b)
    const got = msg.shares.map((s) => s.to).sort((a, b) => a - b)
    if (want.length !== got.length || want.some((v, k) => v !== got[k])) {
      reject(RejectReason.ParameterMismatch, `client ${i} must seal one bundle for each of its neighbours ${want.join(',')}, got ${got.join(',')}`, 422)
    }
    if (msg.shares.some((s) => s.sealed.length !== SEALED_BUNDLE_BYTES)) reject(RejectReason.Malformed, `each sealed bundle must be ${SEALED_BUNDLE_BYTES} bytes`, 400)
    if (msg.selfMaskCommitment.length !== 32) reject(RejectReason.Malformed, 'the self-mask commitment must be 32 bytes', 400)
    this.shares.set(i, { selfMaskCommitment: msg.selfMaskCommitment.slice(), shares: msg.shares.map((s) => ({ to: s.to, sealed: s.sealed.slice() })) })
  }

  /** After step 2: the bundles sealed for client i by neighbours that shared. */
  inbox(i: number): Inbox {
    if (this.stepNow !== SecAggStep.MaskedInput && this.stepNow !== SecAggStep.Unmask && this.stepNow !== SecAggStep.Done) {
      reject(RejectReason.WrongStep, `the inbox exists once the share step closed; the cohort is at ${this.stepNow}`)
    }
    this.expectIn(this.shares, i, 'shared their keys')
    const shares = []
    for (const [from, msg] of this.shares) {
      const s = msg.shares.find((x) => x.to === i)
      if (s) shares.push({ from, sealed: s.sealed })
    }
    return { shares }
  }

  /** Step 3: a masked input, added to the running sum. */
  receiveMasked(i: number, y: Uint32Array): void {
    this.expectStep(SecAggStep.MaskedInput)
    this.expectIn(this.shares, i, 'shared their keys')
    if (this.maskedFrom.has(i)) reject(RejectReason.Replay, `client ${i} already sent its masked input`)
    if (y.length !== this.params.vectorLength) reject(RejectReason.ShapeMismatch, `masked input has ${y.length} words, the cohort sums ${this.params.vectorLength}`, 422)
    addWordsInPlace(this.maskedSum, y)
    this.maskedFrom.add(i)
  }

  /** After step 3: U3, the clients whose input the sum contains. */
  survivors(i: number): Survivors {
    if (this.stepNow !== SecAggStep.Unmask && this.stepNow !== SecAggStep.Done) reject(RejectReason.WrongStep, `survivors are known once the masked-input step closed; the cohort is at ${this.stepNow}`)
    this.expectIn(this.maskedFrom, i, 'sent a masked input')
    return { survivors: [...this.maskedFrom].sort((a, b) => a - b) }
  }

  /** Step 4: one revealed share per neighbour that shared: of b for survivors, of the key otherwise. */
  receiveUnmask(i: number, msg: UnmaskShares): void {
    this.expectStep(SecAggStep.Unmask)
    this.expectIn(this.maskedFrom, i, 'sent a masked input')
    if (this.unmasks.has(i)) reject(RejectReason.Replay, `client ${i} already sent its unmasking shares`)
    const sharedWithI = this.neighbours(i).filter((v) => this.shares.has(v))
    const wantB = sharedWithI.filter((v) => this.maskedFrom.has(v))
    const wantS = sharedWithI.filter((v) => !this.maskedFrom.has(v))
    const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && [...a].sort((x, y) => x - y).every((v, k) => v === [...b].sort((x, y) => x - y)[k])
    if (!same(msg.selfMaskShares.map((s) => s.of), wantB) || !same(msg.maskingKeyShares.map((s) => s.of), wantS)) {
      reject(RejectReason.ParameterMismatch, `client ${i} must reveal self-mask shares of ${wantB.join(',') || 'nobody'} and key shares of ${wantS.join(',') || 'nobody'}`, 422)
    }
    if ([...msg.selfMaskShares, ...msg.maskingKeyShares].some((s) => s.share.length !== FIELD_BYTES)) reject(RejectReason.Malformed, `each share must be ${FIELD_BYTES} bytes`, 400)
    this.unmasks.set(i, msg)
  }

  /** Secrets the unmasking needs: b of every survivor, the masking key of every dropout that a survivor masked with. */
  private needed(): { of: number; kind: 'self' | 'key' }[] {
    const out: { of: number; kind: 'self' | 'key' }[] = []
    for (const v of this.shares.keys()) {
      if (this.maskedFrom.has(v)) out.push({ of: v, kind: 'self' })
      else if (this.neighbours(v).some((w) => this.maskedFrom.has(w))) out.push({ of: v, kind: 'key' })
    }
    return out
  }

  private sharesOf(v: number, kind: 'self' | 'key'): Share[] {
    const out: Share[] = []
    for (const [w, msg] of this.unmasks) {
      const s = (kind === 'self' ? msg.selfMaskShares : msg.maskingKeyShares).find((x) => x.of === v)
      if (s) out.push({ x: sharePoint(w), y: s.share })
    }
    return out
  }

  private thresholdOf(v: number): number {
    return shareThreshold(this.neighbours(v).length)
  }

  /** True once every needed secret has at least its threshold of revealed shares. */
  reconstructible(): boolean {
    if (this.stepNow !== SecAggStep.Unmask) return false
    return this.needed().every(({ of, kind }) => this.sharesOf(of, kind).length >= this.thresholdOf(of))
  }

  /**
   * Reconstructs the needed secrets and removes every mask:
   * Σ_{u ∈ U3} y_u − Σ_{u ∈ U3} PRG(b_u) ∓ Σ_{v ∈ U2∖U3} Σ_{w ∈ N(v) ∩ U3} PRG(s_vw) = Σ_{u ∈ U3} x_u.
   * A self-mask seed must match its commitment and a masking key its advertised public key;
   * any mismatch abandons the run rather than publish a wrong sum.
   * @throws Error when called before the unmask step can complete (see {@link reconstructible})
   */
  async finish(subtle: SubtleCrypto = crypto.subtle): Promise<SecAggResult> {
    if (!this.reconstructible()) throw new Error(`cannot finish at step ${this.stepNow}: not enough unmasking shares`)
    const salt = await contextDigest(this.params.context, subtle)
    const sum = this.maskedSum.slice()
    try {
      for (const { of: v, kind } of this.needed()) {
        const secret = combineShares(this.sharesOf(v, kind), this.thresholdOf(v), SECRET_BYTES)
        if (kind === 'self') {
          const commitment = await seedCommitment(salt, secret, subtle)
          if (!commitment.every((b, k) => b === this.shares.get(v)!.selfMaskCommitment[k])) throw new Error(`the self-mask seed of client ${v} does not match its commitment`)
          subtractWordsInPlace(sum, await expandMask(secret, sum.length, subtle))
        } else {
          const key = await importPrivateScalar(secret, this.keys.get(v)!.maskingKey, subtle)
          for (const w of this.neighbours(v)) {
            if (!this.maskedFrom.has(w)) continue
            const seed = await agreeKey(key, this.keys.get(w)!.maskingKey, salt, KdfLabel.PairMask, subtle)
            const mask = await expandMask(seed, sum.length, subtle)
            // w added +mask if w < v and −mask if w > v; undo exactly that.
            if (w < v) subtractWordsInPlace(sum, mask)
            else addWordsInPlace(sum, mask)
          }
        }
        secret.fill(0)
      }
    } catch (e) {
      this.abandon(`unmasking failed: ${e instanceof Error ? e.message : String(e)}`)
      throw e
    }
    this.stepNow = SecAggStep.Done
    const included = [...this.maskedFrom].sort((a, b) => a - b)
    return { sum, included, dropped: this.members.filter((i) => !this.maskedFrom.has(i)) }
  }
}
