/** For scripts that are both a CLI and a module their tests import. */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Whether the module at `moduleUrl` is the script Node was started with (`tsx scripts/x.ts`),
 * not a module imported by another (a test).
 * @example if (isEntryPoint(import.meta.url)) void main()
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1]
  return entry !== undefined && moduleUrl === pathToFileURL(resolve(entry)).href
}
