#!/usr/bin/env node
// Builds everything `wrangler dev` serves into dist/public: SDK bundles (rollup), demo store
// pages and scripts, tfjs wasm binaries, product images and the initial model.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules/.bin', name)

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(' ')} failed (exit ${r.status})`)
    process.exit(r.status ?? 1)
  }
}

rmSync(join(root, 'dist/public'), { recursive: true, force: true })
run(bin('rollup'), ['-c', 'rollup.config.ts', '--configPlugin', 'esbuild', '--silent'])
cpSync(join(root, 'demo-shop/public'), join(root, 'dist/public'), { recursive: true })
const wasmSrc = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')
mkdirSync(join(root, 'dist/public/sdk/wasm'), { recursive: true })
for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) cpSync(join(wasmSrc, f), join(root, 'dist/public/sdk/wasm', f))
// The npm package (sdk/package.json `exports`) ships the same files: core, loader, worker, chunks.
rmSync(join(root, 'sdk/dist'), { recursive: true, force: true })
cpSync(join(root, 'dist/public/sdk'), join(root, 'sdk/dist'), { recursive: true })
run(bin('tsx'), ['scripts/build-assets.ts'])
console.log('build: dist/public ready')
