/**
 * The cryptographic primitives of secure aggregation, all from WebCrypto (browsers, Web Workers,
 * workerd and Node ≥ 20 alike): ECDH on P-256 for pairwise key agreement, HKDF-SHA256 to turn a
 * shared point into keys, AES-256-GCM to encrypt shares for one neighbour, and AES-256-CTR as the
 * pseudorandom generator that expands a 32-byte seed into a mask. Nothing here is hand-rolled
 * cryptography; only the wiring is ours.
 */
import { fromB64, toB64 } from './wire.js'

/** Bytes of an uncompressed P-256 public key (0x04 ‖ x ‖ y). */
export const PUBLIC_KEY_BYTES = 65
/** Bytes of a P-256 private scalar, of a mask seed and of every derived key. */
export const SECRET_BYTES = 32
/** AES-GCM nonce and tag sizes. */
export const GCM_IV_BYTES = 12
export const GCM_TAG_BYTES = 16

/** HKDF `info` labels: one per use, so a key derived for one purpose is never reused for another. */
export const KdfLabel = {
  PairMask: 'fedrec/secagg/v1/pair-mask',
  ShareKey: 'fedrec/secagg/v1/share-key',
} as const
export type KdfLabel = (typeof KdfLabel)[keyof typeof KdfLabel]

/** A P-256 key pair whose private scalar can be exported (it is Shamir-shared). */
export interface AgreementKeyPair {
  readonly publicKey: Uint8Array<ArrayBuffer>
  readonly privateKey: CryptoKey
}

const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto refuses shared or offset views in some runtimes). */
export function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length)
  out.set(bytes)
  return out
}

/**
 * A fresh P-256 key pair; the private key is extractable because its scalar is secret-shared.
 * @example const { publicKey, privateKey } = await generateAgreementKey()
 */
export async function generateAgreementKey(subtle: SubtleCrypto = crypto.subtle): Promise<AgreementKeyPair> {
  const pair = (await subtle.generateKey(P256, true, ['deriveBits'])) as CryptoKeyPair
  const publicKey = new Uint8Array((await subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer)
  return { publicKey, privateKey: pair.privateKey }
}

/** The 32-byte private scalar d of a key from {@link generateAgreementKey}. */
export async function exportPrivateScalar(key: CryptoKey, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  const jwk = (await subtle.exportKey('jwk', key)) as JsonWebKey
  if (typeof jwk.d !== 'string') throw new Error('private key did not export its scalar')
  const d = fromB64(jwk.d, 'private scalar')
  if (d.length !== SECRET_BYTES) throw new Error(`P-256 scalar has ${d.length} bytes`)
  return d
}

/** PKCS #8 DER of a P-256 private key without its public part (RFC 5915 / RFC 5208), before d. */
const PKCS8_P256_PREFIX = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
  0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
])

/**
 * Rebuilds a private key from its reconstructed scalar and checks it against the public key it
 * was advertised with: the key is imported without a public part, so WebCrypto computes d·G,
 * which must equal the advertised point. Wrong or tampered shares are caught here instead of
 * silently producing the wrong masks.
 * @throws Error when d·G differs from `publicKey` (or d is not a valid scalar)
 */
export async function importPrivateScalar(d: Uint8Array, publicKey: Uint8Array, subtle: SubtleCrypto = crypto.subtle): Promise<CryptoKey> {
  checkPublicKeyBytes(publicKey)
  if (d.length !== SECRET_BYTES) throw new RangeError(`P-256 scalar must be ${SECRET_BYTES} bytes`)
  const der = new Uint8Array(PKCS8_P256_PREFIX.length + SECRET_BYTES)
  der.set(PKCS8_P256_PREFIX)
  der.set(d, PKCS8_P256_PREFIX.length)
  const key = await subtle.importKey('pkcs8', der, P256, true, ['deriveBits'])
  der.fill(0)
  const jwk = (await subtle.exportKey('jwk', key)) as JsonWebKey
  if (jwk.x !== toB64(publicKey.subarray(1, 33)) || jwk.y !== toB64(publicKey.subarray(33, 65))) {
    throw new Error('reconstructed scalar does not match the advertised public key')
  }
  return key
}

function checkPublicKeyBytes(publicKey: Uint8Array): void {
  if (publicKey.length !== PUBLIC_KEY_BYTES || publicKey[0] !== 0x04) {
    throw new RangeError(`public key must be ${PUBLIC_KEY_BYTES} bytes of an uncompressed P-256 point`)
  }
}

/**
 * Imports a peer's public key; WebCrypto refuses a point that is not on the curve.
 * @throws when the bytes are not a valid uncompressed P-256 point
 */
export async function importPublicKey(publicKey: Uint8Array, subtle: SubtleCrypto = crypto.subtle): Promise<CryptoKey> {
  checkPublicKeyBytes(publicKey)
  return subtle.importKey('raw', own(publicKey), P256, false, [])
}

/**
 * ECDH then HKDF-SHA256: a 32-byte key both ends derive alike. `salt` binds the key to the
 * protocol run (round and cohort) and `label` to its use, as RFC 5869 §3 recommends.
 * @example const seed = await agreeKey(mySk, theirPk, salt, KdfLabel.PairMask)
 */
export async function agreeKey(privateKey: CryptoKey, peerPublicKey: Uint8Array, salt: Uint8Array, label: KdfLabel, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  const peer = await importPublicKey(peerPublicKey, subtle)
  // Cast: Workers' type names the field `$public`, while every runtime (workerd included) reads `public`.
  const ecdh = { name: 'ECDH', public: peer } as unknown as Parameters<SubtleCrypto['deriveBits']>[0]
  const shared = await subtle.deriveBits(ecdh, privateKey, 256)
  const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits'])
  const info = new TextEncoder().encode(label)
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: own(salt), info }, ikm, 8 * SECRET_BYTES))
}

/** SHA-256 of a context string: the HKDF salt and AES-GCM associated data of one protocol run. */
export async function contextDigest(context: string, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(context)))
}

/**
 * AES-256-GCM encryption under a 32-byte key with a random 96-bit nonce: iv ‖ ciphertext ‖ tag.
 * Each key encrypts one message (keys are fresh per protocol run and pair), so random nonces are
 * far inside GCM's limits.
 */
export async function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  const k = await subtle.importKey('raw', own(key), 'AES-GCM', false, ['encrypt'])
  const iv = crypto.getRandomValues(new Uint8Array(GCM_IV_BYTES))
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: own(aad) }, k, own(plaintext)))
  const out = new Uint8Array(GCM_IV_BYTES + ct.length)
  out.set(iv)
  out.set(ct, GCM_IV_BYTES)
  return out
}

/**
 * Decrypts what {@link seal} produced.
 * @throws when the key, the associated data or any byte differs (GCM authentication)
 */
export async function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array, subtle: SubtleCrypto = crypto.subtle): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < GCM_IV_BYTES + GCM_TAG_BYTES) throw new RangeError('sealed message is shorter than its nonce and tag')
  const k = await subtle.importKey('raw', own(key), 'AES-GCM', false, ['decrypt'])
  const iv = own(sealed.subarray(0, GCM_IV_BYTES))
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: own(aad) }, k, own(sealed.subarray(GCM_IV_BYTES))))
}

/** Largest chunk one AES-CTR call encrypts: keeps peak memory bounded for million-word masks. */
const PRG_CHUNK_BYTES = 1 << 22

/**
 * The mask PRG: the AES-256-CTR keystream under `seed` (the encryption of zeros, counter from 0),
 * read as little-endian 32-bit words. AES is a pseudorandom permutation, so for a secret seed the
 * words are computationally indistinguishable from uniform (Bonawitz et al. 2017, §4). Each seed
 * is used for one mask only.
 * @example const mask = await expandMask(seed, model.weights.length)
 */
export async function expandMask(seed: Uint8Array, words: number, subtle: SubtleCrypto = crypto.subtle): Promise<Uint32Array<ArrayBuffer>> {
  if (seed.length !== SECRET_BYTES) throw new RangeError(`mask seed must be ${SECRET_BYTES} bytes`)
  if (!Number.isInteger(words) || words < 0) throw new RangeError(`mask length ${words} must be a whole number of words`)
  const key = await subtle.importKey('raw', own(seed), 'AES-CTR', false, ['encrypt'])
  const out = new Uint8Array(words * 4)
  for (let off = 0; off < out.length; off += PRG_CHUNK_BYTES) {
    const len = Math.min(PRG_CHUNK_BYTES, out.length - off)
    // Counter block = block index of this chunk (big-endian in the low 64 bits), so chunks join
    // into one continuous keystream.
    const counter = new Uint8Array(16)
    new DataView(counter.buffer).setBigUint64(8, BigInt(off / 16))
    const ks = await subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, key, new Uint8Array(len))
    out.set(new Uint8Array(ks), off)
  }
  if (isBigEndianHost) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse()
  return new Uint32Array(out.buffer)
}

const isBigEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0
