/** Escapes text for SVG/XML markup that the store builds as strings (images, the rounds chart). */

/**
 * @example escapeXml('Tom & "Jerry"') // 'Tom &#38; &#34;Jerry&#34;'
 */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
