import { describe, expect, it } from 'vitest'
import { sha256Hex } from './checksum.js'

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector and changes with one flipped bit', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(await sha256Hex(new TextEncoder().encode('abb'))).not.toBe(await sha256Hex(new TextEncoder().encode('abc')))
  })
})
