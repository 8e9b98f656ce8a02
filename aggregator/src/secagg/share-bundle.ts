/**
 * The plaintext a client seals for one neighbour at the share-keys step: who it is from and for,
 * then the neighbour's Shamir shares of the sender's masking key and self-mask seed. Sealed with
 * AES-256-GCM under a key only the two of them can derive; the associated data binds the run.
 */
import { FIELD_BYTES } from './field.js'
import { GCM_IV_BYTES, GCM_TAG_BYTES } from './crypto.js'

/** Bytes of the plaintext: from (u16) ‖ to (u16) ‖ masking-key share ‖ self-mask share. */
export const BUNDLE_BYTES = 4 + 2 * FIELD_BYTES
/** Bytes of a sealed bundle on the wire. */
export const SEALED_BUNDLE_BYTES = GCM_IV_BYTES + BUNDLE_BYTES + GCM_TAG_BYTES

export interface ShareBundle {
  readonly from: number
  readonly to: number
  readonly maskingKeyShare: Uint8Array
  readonly selfMaskShare: Uint8Array
}

export function encodeBundle(b: ShareBundle): Uint8Array<ArrayBuffer> {
  if (b.maskingKeyShare.length !== FIELD_BYTES || b.selfMaskShare.length !== FIELD_BYTES) throw new RangeError(`shares must be ${FIELD_BYTES} bytes`)
  const out = new Uint8Array(BUNDLE_BYTES)
  const dv = new DataView(out.buffer)
  dv.setUint16(0, b.from)
  dv.setUint16(2, b.to)
  out.set(b.maskingKeyShare, 4)
  out.set(b.selfMaskShare, 4 + FIELD_BYTES)
  return out
}

export function decodeBundle(bytes: Uint8Array): ShareBundle {
  if (bytes.length !== BUNDLE_BYTES) throw new RangeError(`share bundle must be ${BUNDLE_BYTES} bytes, got ${bytes.length}`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    from: dv.getUint16(0),
    to: dv.getUint16(2),
    maskingKeyShare: bytes.slice(4, 4 + FIELD_BYTES),
    selfMaskShare: bytes.slice(4 + FIELD_BYTES),
  }
}

/** Associated data of the bundle from → to: the run's context digest and both indices. */
export function bundleAad(context: Uint8Array, from: number, to: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(context.length + 4)
  aad.set(context)
  new DataView(aad.buffer).setUint16(context.length, from)
  new DataView(aad.buffer).setUint16(context.length + 2, to)
  return aad
}
