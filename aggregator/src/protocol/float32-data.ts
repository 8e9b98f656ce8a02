/**
 * The float32 values of a payload as a Float32Array, read without a DataView call per value:
 * decoding 100k values through a DataView cost more than validating and summing them together.
 */

/** Whether this platform stores a Float32Array little-endian, as the wire does (docs/PAYLOAD.md). */
export const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * The `count` little-endian float32 values that start `offset` bytes into `bytes`. On a
 * little-endian platform (every browser and edge CPU we ship to) this is a view on the same
 * memory when the values are 4-byte aligned, else one copy into an aligned buffer; only a
 * big-endian platform reads value by value. The caller checks that the range lies in `bytes`.
 * A view shares memory with `bytes`: writing one changes the other.
 * @example float32Data(bytes, 56, 3) // Float32Array(3) over bytes 56..67
 */
export function float32Data(bytes: Uint8Array, offset: number, count: number): Float32Array {
  if (offset < 0 || count < 0 || offset + 4 * count > bytes.length) throw new RangeError(`float32 range ${offset}+4×${count} lies outside ${bytes.length} bytes`)
  if (PLATFORM_LITTLE_ENDIAN) {
    const start = bytes.byteOffset + offset
    if (start % 4 === 0) return new Float32Array(bytes.buffer, start, count)
    return new Float32Array(bytes.slice(offset, offset + 4 * count).buffer)
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true)
  return out
}
