#!/usr/bin/env node
// `npm start`: install what is missing, build, and serve the demo store, the SDK and the edge API
// from `wrangler dev` (workerd, Durable Object storage persisted in .wrangler/state).
import { spawn } from 'node:child_process'
import { bin, build, ensureNodeModules, root } from './lib/setup.mjs'

const port = Number(process.env.PORT ?? 8787)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`fedrec: PORT=${process.env.PORT} is not a TCP port`)
  process.exit(2)
}
ensureNodeModules()
build()

const url = `http://127.0.0.1:${port}/`
const child = spawn(
  bin('wrangler'),
  ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', '.wrangler/state', '--show-interactive-dev-session=false'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))

// Print the address once the worker answers, so it is the last thing on screen.
const started = Date.now()
const poll = setInterval(async () => {
  try {
    const res = await fetch(`${url}v1/health`)
    if (res.ok) {
      clearInterval(poll)
      console.log(`\nfedrec demo store: ${url}   (API ${url}v1/round, privacy ledger ${url}v1/privacy; Ctrl-C stops)\n`)
    }
  } catch {
    if (Date.now() - started > 120_000) {
      clearInterval(poll)
      console.error('fedrec: wrangler dev did not answer within 2 minutes')
    }
  }
}, 500)
