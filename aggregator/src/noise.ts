/** Gaussian noise for DP updates, drawn from a caller-supplied cryptographic random source. */

/**
 * Fills a Uint32Array with uniformly random words. In the browser and in workerd this is
 * `crypto.getRandomValues`; tests pass a seeded generator to get reproducible bytes.
 */
export type RandomFill = (words: Uint32Array) => void

/** The platform CSPRNG (WebCrypto), available in browsers, workers, workerd and Node ≥ 19. */
export const cryptoRandomFill: RandomFill = (words) => {
  // getRandomValues refuses more than 65,536 bytes per call.
  for (let off = 0; off < words.length; off += 16384) {
    crypto.getRandomValues(words.subarray(off, Math.min(words.length, off + 16384)))
  }
}

const TWO_POW_53 = 2 ** 53

/**
 * Adds N(0, sigma²) to every coordinate of `v` in place. Uniforms have 53 random bits (two
 * 32-bit words each) and the Box–Muller transform turns pairs of them into two normals.
 * Known limitation, documented in docs/PRIVACY.md: floating-point sampling is not the discrete
 * Gaussian of Canonne, Kamath, Steinke 2020, so the least significant bits are not perfectly DP
 * (Mironov 2012); the noise itself has the announced standard deviation.
 * @example addGaussianNoise(update, 0.5 * 1.0, cryptoRandomFill)
 */
export function addGaussianNoise(v: Float32Array, sigma: number, fill: RandomFill = cryptoRandomFill): void {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`noise std must be a finite number ≥ 0, got ${sigma}`)
  if (sigma === 0) return
  const block = 4096
  const words = new Uint32Array(block * 2)
  for (let off = 0; off < v.length; off += block) {
    const n = Math.min(block, v.length - off)
    const pairs = Math.ceil(n / 2)
    const used = words.subarray(0, pairs * 4)
    fill(used)
    for (let p = 0; p < pairs; p++) {
      // u1 in (0, 1]: never 0, so log(u1) is finite.
      const u1 = ((used[4 * p]! >>> 5) * 67108864 + (used[4 * p + 1]! >>> 6) + 1) / TWO_POW_53
      const u2 = ((used[4 * p + 2]! >>> 5) * 67108864 + (used[4 * p + 3]! >>> 6)) / TWO_POW_53
      const r = sigma * Math.sqrt(-2 * Math.log(u1))
      const t = 2 * Math.PI * u2
      const i = off + 2 * p
      v[i] = v[i]! + r * Math.cos(t)
      if (2 * p + 1 < n) v[i + 1] = v[i + 1]! + r * Math.sin(t)
    }
  }
}

/**
 * A small seeded generator (SplitMix32 over a 32-bit state) for reproducible tests only — never
 * for noise that leaves a device.
 */
export function seededRandomFill(seed: number): RandomFill {
  let s = seed >>> 0
  return (words) => {
    for (let i = 0; i < words.length; i++) {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      words[i] = (z ^ (z >>> 16)) >>> 0
    }
  }
}
