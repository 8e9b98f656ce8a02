/**
 * The client's side of one secure-aggregation run, as a state machine with no I/O: each method
 * takes what the server relayed and returns the next message, refusing anything out of order or
 * anything that would weaken the protection of its own input.
 */
import { cryptoRandomFill, type RandomFill } from '../noise.js'
import {
  agreeKey,
  contextDigest,
  expandMask,
  exportPrivateScalar,
  generateAgreementKey,
  importPublicKey,
  KdfLabel,
  open,
  seal,
  SECRET_BYTES,
  type AgreementKeyPair,
} from './crypto.js'
import { shareThreshold } from './graph.js'
import type { AdvertiseKeys, CohortParams, Inbox, MaskedInput, Roster, ShareKeys, Survivors, UnmaskShares } from './messages.js'
import { addWordsInPlace, subtractWordsInPlace } from './quantize.js'
import { splitSecret } from './shamir.js'
import { bundleAad, decodeBundle, encodeBundle, type ShareBundle } from './share-bundle.js'

/** The client stops the run rather than continue in a way that could expose its input. */
export class SecAggAbortError extends Error {
  override readonly name = 'SecAggAbortError'
}

type ClientStep = 'advertise' | 'share' | 'mask' | 'unmask' | 'done'

/** Share points are cohort index + 1 (0 is where the secret sits). */
export const sharePoint = (index: number): number => index + 1

/** SHA-256(context digest ‖ seed): the commitment to a self-mask seed. */
export async function seedCommitment(contextDigestBytes: Uint8Array, seed: Uint8Array, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  const buf = new Uint8Array(contextDigestBytes.length + seed.length)
  buf.set(contextDigestBytes)
  buf.set(seed, contextDigestBytes.length)
  return new Uint8Array(await subtle.digest('SHA-256', buf))
}

/**
 * One client of one cohort run.
 * @example
 * const c = await SecAggClient.create(params, myIndex)
 * send(c.advertise()); send(await c.shareKeys(roster)); send(await c.maskInput(inbox, words)); send(c.unmask(survivors))
 */
export class SecAggClient {
  private step: ClientStep = 'advertise'
  private roster: Roster | null = null
  /** Neighbours whose shares arrived (N(u) ∩ U2), with what they sent this client. */
  private received = new Map<number, ShareBundle>()
  /** The self-mask seed b, kept from step 2 to step 3 and then wiped. */
  private selfMaskSeed: Uint8Array | null = null

  private constructor(
    readonly params: CohortParams,
    readonly index: number,
    private readonly encryption: AgreementKeyPair,
    private readonly masking: AgreementKeyPair,
    private readonly salt: Uint8Array,
    private readonly subtle: SubtleCrypto,
  ) {}

  static async create(params: CohortParams, index: number, subtle: SubtleCrypto = crypto.subtle): Promise<SecAggClient> {
    if (!Number.isInteger(index) || index < 0 || index > 0xfffe) throw new RangeError(`cohort index ${index} must be an integer in 0..65534`)
    const [encryption, masking, salt] = await Promise.all([generateAgreementKey(subtle), generateAgreementKey(subtle), contextDigest(params.context, subtle)])
    return new SecAggClient(params, index, encryption, masking, salt, subtle)
  }

  private expect(step: ClientStep): void {
    if (this.step !== step) throw new SecAggAbortError(`client is at step ${this.step}, not ${step}`)
  }

  /** Step 1: the two public keys. */
  advertise(): AdvertiseKeys {
    this.expect('advertise')
    this.step = 'share'
    return { encryptionKey: this.encryption.publicKey, maskingKey: this.masking.publicKey }
  }

  /**
   * Step 2: draws the self-mask seed b, Shamir-shares b and the masking key's scalar among the
   * roster neighbours with the roster's threshold, and seals each neighbour's pair of shares.
   * @throws SecAggAbortError when the roster would let fewer than a majority of neighbours
   *   reconstruct (a threshold below ⌊k/2⌋ + 1) or lists itself, a duplicate or a bad key
   */
  async shareKeys(roster: Roster, fill: RandomFill = cryptoRandomFill): Promise<ShareKeys> {
    this.expect('share')
    const ids = roster.neighbours.map((n) => n.index)
    if (ids.length === 0) throw new SecAggAbortError('roster lists no neighbours')
    if (new Set(ids).size !== ids.length || ids.includes(this.index)) throw new SecAggAbortError('roster lists a neighbour twice or this client itself')
    if (!Number.isInteger(roster.threshold) || roster.threshold < shareThreshold(ids.length) || roster.threshold > ids.length) {
      throw new SecAggAbortError(`threshold ${roster.threshold} is outside ${shareThreshold(ids.length)}..${ids.length} for ${ids.length} neighbours`)
    }
    for (const n of roster.neighbours) {
      try {
        await Promise.all([importPublicKey(n.encryptionKey, this.subtle), importPublicKey(n.maskingKey, this.subtle)])
      } catch (e) {
        throw new SecAggAbortError(`neighbour ${n.index} advertised an invalid key`, { cause: e })
      }
    }
    this.roster = roster
    const seed = crypto.getRandomValues(new Uint8Array(SECRET_BYTES))
    this.selfMaskSeed = seed
    const scalar = await exportPrivateScalar(this.masking.privateKey, this.subtle)
    const points = ids.map(sharePoint)
    const keyShares = splitSecret(scalar, roster.threshold, points, fill)
    const seedShares = splitSecret(seed, roster.threshold, points, fill)
    scalar.fill(0)
    const shares = await Promise.all(
      roster.neighbours.map(async (n, i) => {
        const key = await agreeKey(this.encryption.privateKey, n.encryptionKey, this.salt, KdfLabel.ShareKey, this.subtle)
        const plain = encodeBundle({ from: this.index, to: n.index, maskingKeyShare: keyShares[i]!.y, selfMaskShare: seedShares[i]!.y })
        return { to: n.index, sealed: await seal(key, plain, bundleAad(this.salt, this.index, n.index), this.subtle) }
      }),
    )
    this.step = 'mask'
    return { selfMaskCommitment: await seedCommitment(this.salt, seed, this.subtle), shares }
  }

  /**
   * Step 3: opens the bundles neighbours sealed for this client, then masks the quantised input:
   * y = x + PRG(b) + Σ_{v ∈ N ∩ U2, v > u} PRG(s_uv) − Σ_{v ∈ N ∩ U2, v < u} PRG(s_uv) mod 2^32,
   * where U2 are the neighbours that shared and s_uv the seed agreed with v.
   * @throws SecAggAbortError when fewer than the threshold of neighbours shared (the server
   *   could not unmask with dropouts) or a bundle fails to open
   */
  async maskInput(inbox: Inbox, input: Uint32Array): Promise<MaskedInput> {
    this.expect('mask')
    const roster = this.roster!
    if (input.length !== this.params.vectorLength) throw new RangeError(`input has ${input.length} words, the cohort sums ${this.params.vectorLength}`)
    const byIndex = new Map(roster.neighbours.map((n) => [n.index, n]))
    const received = new Map<number, ShareBundle>()
    for (const { from, sealed } of inbox.shares) {
      const n = byIndex.get(from)
      if (!n || received.has(from)) throw new SecAggAbortError(`inbox holds a bundle from ${from}, not a neighbour or twice`)
      const key = await agreeKey(this.encryption.privateKey, n.encryptionKey, this.salt, KdfLabel.ShareKey, this.subtle)
      let bundle: ShareBundle
      try {
        bundle = decodeBundle(await open(key, sealed, bundleAad(this.salt, from, this.index), this.subtle))
      } catch (e) {
        throw new SecAggAbortError(`bundle from ${from} does not open`, { cause: e })
      }
      if (bundle.from !== from || bundle.to !== this.index) throw new SecAggAbortError(`bundle from ${from} names ${bundle.from} → ${bundle.to}`)
      received.set(from, bundle)
    }
    if (received.size < roster.threshold) throw new SecAggAbortError(`only ${received.size} neighbours shared; at least ${roster.threshold} are needed`)
    this.received = received
    const out = Uint32Array.from(input)
    addWordsInPlace(out, await expandMask(this.selfMaskSeed!, input.length, this.subtle))
    for (const v of received.keys()) {
      const seed = await agreeKey(this.masking.privateKey, byIndex.get(v)!.maskingKey, this.salt, KdfLabel.PairMask, this.subtle)
      const mask = await expandMask(seed, input.length, this.subtle)
      if (this.index < v) addWordsInPlace(out, mask)
      else subtractWordsInPlace(out, mask)
    }
    this.selfMaskSeed!.fill(0)
    this.step = 'unmask'
    return out
  }

  /**
   * Step 4: for each neighbour that shared, the share of its self-mask seed if the server lists
   * it as a survivor, else the share of its masking key. Called once: a second survivor list
   * could otherwise obtain both shares of one client.
   * @throws SecAggAbortError when the list omits this client or has fewer than minSurvivors
   */
  unmask(s: Survivors): UnmaskShares {
    this.expect('unmask')
    const survivors = new Set(s.survivors)
    if (!survivors.has(this.index)) throw new SecAggAbortError('survivor list omits this client, which sent its input')
    if (survivors.size < this.params.minSurvivors) throw new SecAggAbortError(`${survivors.size} survivors is below the minimum ${this.params.minSurvivors}: the sum would carry too little noise`)
    this.step = 'done'
    const selfMaskShares = []
    const maskingKeyShares = []
    for (const [v, b] of this.received) {
      if (survivors.has(v)) selfMaskShares.push({ of: v, share: b.selfMaskShare })
      else maskingKeyShares.push({ of: v, share: b.maskingKeyShare })
    }
    this.received.clear()
    return { selfMaskShares, maskingKeyShares }
  }
}
