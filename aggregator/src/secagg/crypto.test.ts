import { describe, expect, it } from 'vitest'
import { agreeKey, contextDigest, expandMask, exportPrivateScalar, generateAgreementKey, importPrivateScalar, KdfLabel, open, seal } from './crypto.js'

describe('secure-aggregation primitives', () => {
  it('agrees the same key on both ends, different per label and per run', async () => {
    const [a, b] = await Promise.all([generateAgreementKey(), generateAgreementKey()])
    const salt = await contextDigest('run-1')
    const ab = await agreeKey(a.privateKey, b.publicKey, salt, KdfLabel.PairMask)
    const ba = await agreeKey(b.privateKey, a.publicKey, salt, KdfLabel.PairMask)
    expect(Array.from(ab)).toEqual(Array.from(ba))
    expect(Array.from(await agreeKey(a.privateKey, b.publicKey, salt, KdfLabel.ShareKey))).not.toEqual(Array.from(ab))
    expect(Array.from(await agreeKey(a.privateKey, b.publicKey, await contextDigest('run-2'), KdfLabel.PairMask))).not.toEqual(Array.from(ab))
  })

  it('rebuilds a private key from its scalar, and refuses a scalar of another key', async () => {
    const [a, b, c] = await Promise.all([generateAgreementKey(), generateAgreementKey(), generateAgreementKey()])
    const d = await exportPrivateScalar(a.privateKey)
    const rebuilt = await importPrivateScalar(d, a.publicKey)
    const salt = await contextDigest('x')
    expect(Array.from(await agreeKey(rebuilt, b.publicKey, salt, KdfLabel.PairMask))).toEqual(Array.from(await agreeKey(a.privateKey, b.publicKey, salt, KdfLabel.PairMask)))
    await expect(importPrivateScalar(d, c.publicKey)).rejects.toThrow(/does not match/)
  })

  it('seals for one reader: a changed byte, key or associated data fails to open', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const aad = new TextEncoder().encode('ctx')
    const sealed = await seal(key, Uint8Array.from([1, 2, 3]), aad)
    expect(Array.from(await open(key, sealed, aad))).toEqual([1, 2, 3])
    const flipped = sealed.slice()
    flipped[20] = flipped[20]! ^ 1
    await expect(open(key, flipped, aad)).rejects.toThrow()
    await expect(open(crypto.getRandomValues(new Uint8Array(32)), sealed, aad)).rejects.toThrow()
    await expect(open(key, sealed, new TextEncoder().encode('other'))).rejects.toThrow()
  })

  it('expands a seed into one continuous AES-CTR keystream, across chunks', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32))
    const long = await expandMask(seed, (1 << 20) + 5) // past the 4 MiB chunk
    const short = await expandMask(seed, 7)
    expect(Array.from(long.subarray(0, 7))).toEqual(Array.from(short))
    // The second chunk is the keystream from block 2^18 on: compare with WebCrypto directly.
    const key = await crypto.subtle.importKey('raw', seed, 'AES-CTR', false, ['encrypt'])
    const counter = new Uint8Array(16)
    new DataView(counter.buffer).setBigUint64(8, BigInt((1 << 22) / 16))
    const direct = new Uint32Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, key, new Uint8Array(20)))
    expect(Array.from(long.subarray(1 << 20))).toEqual(Array.from(direct.subarray(0, 5)))
    expect(Array.from(await expandMask(crypto.getRandomValues(new Uint8Array(32)), 7))).not.toEqual(Array.from(short))
  })
})
