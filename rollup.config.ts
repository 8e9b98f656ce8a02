/**
 * Three bundles, comlink-style matrix: the IIFE loader for the script tag, the ESM SDK core
 * (no tfjs) and the ESM worker chunk (tfjs; each backend split into its own lazy chunk).
 */
import commonjs from '@rollup/plugin-commonjs'
import resolve from '@rollup/plugin-node-resolve'
import type { Plugin, RollupOptions } from 'rollup'
import esbuild from 'rollup-plugin-esbuild'

const out = 'dist/public/sdk'

/**
 * tfjs-backend-wasm's emscripten glue imports Node built-ins it only uses under Node (its
 * package.json maps them to `false` for browsers). Resolve them to an empty module.
 */
const NODE_ONLY = new Set(['fs', 'path', 'os', 'worker_threads', 'perf_hooks'])
const emptyNodeBuiltins = (): Plugin => ({
  name: 'empty-node-builtins',
  resolveId: (id) => (NODE_ONLY.has(id) ? `\0empty:${id}` : null),
  load: (id) => (id.startsWith('\0empty:') ? 'export default {}' : null),
})

const plugins = () => [
  emptyNodeBuiltins(),
  resolve({ browser: true, preferBuiltins: false }),
  commonjs(),
  esbuild({ target: 'es2022', minify: true, legalComments: 'none' }),
]

const config: RollupOptions[] = [
  {
    input: 'sdk/src/entrypoints/loader.ts',
    output: { file: `${out}/fedrec-loader.js`, format: 'iife' },
    plugins: plugins(),
  },
  {
    input: { fedrec: 'sdk/src/entrypoints/sdk.ts' },
    output: { dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/core-[name]-[hash].js' },
    // Lazy core chunks import what they share straight from fedrec.js, rather than rollup
    // splitting the core into a facade plus a shared chunk (one more request before the SDK runs).
    preserveEntrySignatures: 'allow-extension',
    plugins: plugins(),
  },
  {
    // The demo store's own page script (not part of the SDK).
    input: 'demo-shop/src/app.ts',
    output: { file: 'dist/public/shop/app.js', format: 'es' },
    plugins: plugins(),
  },
  {
    input: { 'fedrec-worker': 'sdk/src/entrypoints/worker.ts' },
    output: { dir: out, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/worker-[name]-[hash].js' },
    plugins: plugins(),
    onwarn(warning, warn) {
      // tfjs ships `this` at the top of some UMD-style modules and circular imports; both harmless.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return
      warn(warning)
    },
  },
]

export default config
