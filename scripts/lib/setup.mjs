// Shared set-up for `npm start` and `npm test`: install what is missing, then build.
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
export const bin = (name) => join(root, 'node_modules/.bin', name)
export const CHROMIUM = '/usr/bin/chromium'

/** Runs a command in the repo root with inherited output; exits with its status on failure. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.status !== 0 && !opts.allowFailure) {
    console.error(`fedrec: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
  return r.status ?? 1
}

/**
 * npm packages: installed when node_modules is missing or older than the lockfile. `npm install`
 * rather than `npm ci`: it honours the locked versions too and keeps a checkout's node_modules.
 * The lockfile lists rollup's optional per-platform packages (npm 11 once wrote it without them,
 * which made `npm ci` refuse it), so `npm ci` works as well.
 */
export function ensureNodeModules() {
  const marker = join(root, 'node_modules/.package-lock.json')
  const lock = join(root, 'package-lock.json')
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)
  if (!stale) return
  console.log('fedrec: installing npm packages…')
  run('npm', ['install', '--no-audit', '--no-fund'])
}

/** Debian's chromium for the browser tests: installed with apt when absent and we are root. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot) {
    console.error(`fedrec: ${CHROMIUM} is missing and this is not root; install it with: sudo apt-get install -y chromium`)
    process.exit(1)
  }
  console.log('fedrec: installing Debian chromium (apt-get)…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run('apt-get', ['update', '-qq'], { env })
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { env })
}

/** Builds dist/public (SDK bundles, demo store, initial model). */
export function build() {
  run(process.execPath, [join(root, 'scripts/build.mjs')])
}
