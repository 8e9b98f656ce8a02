/**
 * Issue 3: the browser and Node run the identical model definition. The same job (seed, config,
 * sessions, schedule) trains in Node's tfjs (cpu) and in a dedicated worker in chromium (cpu,
 * then webgl on SwiftShader), and the trained weights are compared value by value.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initWeights } from '../sdk/src/model/index.js'
import { launchChromium } from './support/browser.js'
import { trainJob, type ParityJob } from './support/model-parity-worker.js'

let browser: Browser
let server: Server
let page: Page

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./support/model-parity-worker.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    // tfjs-core's Node-only branches name these; the browser never takes them.
    external: ['node-fetch', 'util', 'worker_threads', 'perf_hooks', 'os', 'crypto'],
  })
  const worker = bundle.outputFiles[0]!.text
  server = createServer((req, res) => {
    if (req.url === '/parity-worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(worker)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>parity</title>')
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
})

afterAll(async () => {
  await browser?.close()
  await new Promise((ok) => server?.close(ok))
})

/** Runs the job in a fresh dedicated worker of the page; the weights come back as numbers. */
async function inWorker(job: ParityJob): Promise<{ backend: string; weights: Float32Array; losses: number[] }> {
  const r = await page.evaluate(
    (j) =>
      new Promise<{ ok: boolean; error?: string; backend?: string; weights?: number[]; losses?: number[] }>((resolve) => {
        const w = new Worker('/parity-worker.js')
        w.onmessage = (e: MessageEvent) => {
          w.terminate()
          const d = e.data as { ok: boolean; error?: string; backend?: string; weights?: Float32Array; losses?: number[] }
          resolve({ ...d, weights: d.weights ? Array.from(d.weights) : undefined })
        }
        w.onerror = (e) => resolve({ ok: false, error: e.message })
        w.postMessage(j)
      }),
    job,
  )
  if (!r.ok) throw new Error(`worker failed: ${r.error}`)
  return { backend: r.backend!, weights: Float32Array.from(r.weights!), losses: r.losses! }
}

/** Largest absolute difference, and how much the weights moved in training (for scale). */
function compare(a: Float32Array, b: Float32Array, w0: Float32Array): { maxDiff: number; maxMove: number; movedCorrelation: number } {
  let maxDiff = 0
  let maxMove = 0
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!))
    const da = a[i]! - w0[i]!
    const db = b[i]! - w0[i]!
    maxMove = Math.max(maxMove, Math.abs(da))
    ab += da * db
    aa += da * da
    bb += db * db
  }
  return { maxDiff, maxMove, movedCorrelation: ab / Math.sqrt(aa * bb) }
}

const sessions = Array.from({ length: 12 }, (_, s) => Array.from({ length: 3 + (s % 5) }, (_, k) => 1 + ((s * 7 + k * 13) % 40)))
const jobs: Record<string, Omit<ParityJob, 'backend'>> = {
  // The demo shop's path: full softmax over a small catalogue, Adam.
  'full softmax, a row per item': {
    cfg: { numItems: 40, dim: 8, maxLen: 5, numCategories: 3 },
    seed: 11,
    sessions,
    opts: { epochs: 2, batchSize: 8, learningRate: 0.02, seed: 4 },
  },
  // A large shop's path: compact table, cosine logits, repeat scores, sampled softmax with
  // row-sparse lazy Adam (the session's items as candidates of their own).
  'sampled softmax, compact table, cosine logits, repeat scores': {
    cfg: { numItems: 3000, dim: 8, maxLen: 5, numCategories: 0, ownRows: 20, hashRows: 30, scale: 10, repeat: true },
    seed: 12,
    // Each session ends by going back to an item it holds, so the repeat weights have repeats to learn.
    sessions: sessions.map((s) => [...s, s[s.length - 2]!].map((i) => (i * 71) % 3000 || 1)),
    opts: { epochs: 2, batchSize: 8, learningRate: 0.02, seed: 5, sampledNegatives: 16, bucketByLength: true },
  },
}

describe('the session model trains to the same weights in Node and in a chromium worker', () => {
  for (const [name, job] of Object.entries(jobs)) {
    it(`${name}: cpu in the worker matches Node's cpu bit for bit, webgl to rounding`, async () => {
      const node = await trainJob({ ...job, backend: 'cpu' })
      const w0 = initWeights(job.cfg, job.seed)
      const cpu = await inWorker({ ...job, backend: 'cpu' })
      expect(cpu.backend).toBe('cpu')
      const c = compare(node.weights, cpu.weights, w0)
      console.log(`[parity] ${name}: Node cpu vs worker cpu: max |Δw| ${c.maxDiff.toExponential(2)} (weights moved up to ${c.maxMove.toFixed(3)}); losses ${node.losses.map((l) => l.toFixed(4))} vs ${cpu.losses.map((l) => l.toFixed(4))}`)
      expect(c.maxMove).toBeGreaterThan(0.01)
      expect(c.maxDiff).toBeLessThan(1e-5)
      // A GPU backend sums in a different order, so it is compared on plain SGD: Adam divides by
      // √v and turns the float32 rounding noise of near-zero gradients into steps of ±lr (0.13
      // apart after 4 steps here), which measures Adam's sign sensitivity, not the model.
      const sgd = { ...job, opts: { ...job.opts, optimizer: 'sgd' as const, learningRate: 0.5 } }
      const nodeSgd = await trainJob({ ...sgd, backend: 'cpu' })
      const gl = await inWorker({ ...sgd, backend: 'webgl' })
      expect(gl.backend).toBe('webgl')
      const g = compare(nodeSgd.weights, gl.weights, w0)
      console.log(`[parity] ${name}: SGD, Node cpu vs worker webgl: max |Δw| ${g.maxDiff.toExponential(2)} (moved up to ${g.maxMove.toFixed(3)}), correlation of the updates ${g.movedCorrelation.toFixed(6)}`)
      expect(g.maxMove).toBeGreaterThan(0.01)
      expect(g.movedCorrelation).toBeGreaterThan(0.999)
      expect(g.maxDiff).toBeLessThan(1e-5)
    })
  }
})
