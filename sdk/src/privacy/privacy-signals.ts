/**
 * Browser privacy signals the SDK honours as a refusal of uploads: Global Privacy Control
 * (https://privacycg.github.io/gpc-spec/, `navigator.globalPrivacyControl`) and Do Not Track
 * (`navigator.doNotTrack === '1'`). Recording and training on the device are unaffected.
 */

/** Which signal blocks uploads, if any. */
export type PrivacySignal = 'gpc' | 'dnt'

/**
 * @example uploadBlocker(navigator) // 'gpc' when Global Privacy Control is on
 */
export function uploadBlocker(nav: Partial<Pick<Navigator, 'doNotTrack'>> & { readonly globalPrivacyControl?: unknown } | undefined): PrivacySignal | null {
  if (!nav) return null
  if (nav.globalPrivacyControl === true) return 'gpc'
  if (nav.doNotTrack === '1' || nav.doNotTrack === 'yes') return 'dnt'
  return null
}
