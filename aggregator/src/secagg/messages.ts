/**
 * What the clients and the server of one secure-aggregation cohort send each other, step by step
 * (Bonawitz et al. 2017, Fig. 4, semi-honest variant, with the SecAgg+ neighbour graph of Bell et
 * al. 2020). The server only relays and sums: nothing it receives reveals one client's input.
 */

/** The protocol's steps in order; `done` and `abandoned` are final. */
export const SecAggStep = {
  Join: 'join',
  AdvertiseKeys: 'advertise_keys',
  ShareKeys: 'share_keys',
  MaskedInput: 'masked_input',
  Unmask: 'unmask',
  Done: 'done',
  Abandoned: 'abandoned',
} as const
export type SecAggStep = (typeof SecAggStep)[keyof typeof SecAggStep]

/** Public parameters of one cohort's run, fixed before any client generates a key. */
export interface CohortParams {
  /**
   * Names the run (deployment, round, cohort). Bound into every derived key (as HKDF salt) and
   * every encrypted share (as associated data), so nothing carries over between runs.
   */
  readonly context: string
  /** Words in each input vector (the model's parameter count). */
  readonly vectorLength: number
  /** Fewest inputs the sum may contain; below it the run is abandoned and nothing is unmasked. */
  readonly minSurvivors: number
}

/** Step 1, client → server: two fresh P-256 public keys (65-byte uncompressed points). */
export interface AdvertiseKeys {
  /** Key agreement for encrypting shares to neighbours. */
  readonly encryptionKey: Uint8Array
  /** Key agreement for pairwise mask seeds; its private scalar is secret-shared. */
  readonly maskingKey: Uint8Array
}

/** A neighbour as the roster lists it. */
export interface RosterEntry {
  readonly index: number
  readonly encryptionKey: Uint8Array
  readonly maskingKey: Uint8Array
}

/** Server → client after step 1: the client's neighbours that advertised keys. */
export interface Roster {
  /** Shamir threshold the client must use for its secrets. */
  readonly threshold: number
  readonly neighbours: readonly RosterEntry[]
}

/** Step 2, client → server: one sealed share bundle per roster neighbour. */
export interface ShareKeys {
  /** SHA-256(context ‖ self-mask seed): lets the server check the seed it reconstructs. */
  readonly selfMaskCommitment: Uint8Array
  readonly shares: readonly { readonly to: number; readonly sealed: Uint8Array }[]
}

/** Server → client after step 2: the bundles neighbours sealed for this client. */
export interface Inbox {
  readonly shares: readonly { readonly from: number; readonly sealed: Uint8Array }[]
}

/** Step 3, client → server: the quantised input plus masks, one word per coordinate. */
export type MaskedInput = Uint32Array

/** Server → client after step 3: every client whose masked input the sum will contain. */
export interface Survivors {
  readonly survivors: readonly number[]
}

/** A Shamir share of a neighbour's secret, revealed at step 4. */
export interface RevealedShare {
  /** Whose secret. */
  readonly of: number
  /** FIELD_BYTES big-endian bytes. */
  readonly share: Uint8Array
}

/**
 * Step 4, client → server: for each neighbour that shared, the share of its self-mask seed if it
 * survived, or of its masking key if it dropped, never both (Bonawitz et al. 2017, §4: revealing
 * both for one client would unmask its input).
 */
export interface UnmaskShares {
  readonly selfMaskShares: readonly RevealedShare[]
  readonly maskingKeyShares: readonly RevealedShare[]
}
