/** SHA-256 of bytes as hex (WebCrypto): detects a cached model damaged on disk or by another script. */

/** @example await sha256Hex(new Uint8Array([1, 2, 3])) // '039058c6…' */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
