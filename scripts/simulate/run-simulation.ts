/**
 * The simulation loop: N shoppers with distinct personas browse the store in headless chromium,
 * each takes part in the open round, the edge closes it when the cohort has arrived, and the
 * published model is evaluated on held-out simulated sessions. Results go to a JSON file the
 * privacy panel draws as a chart while the rounds close.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Browser } from 'playwright-core'
import { computeEpsilonForSteps, type RoundConfig, type RoundLedgerEntry } from '../../aggregator/src/index.js'
import { mulberry32 } from '../../sdk/src/model/index.js'
import { evaluateModelBytes } from './evaluate-model.js'
import { heldOutSessions, personaFor, planSession, priceRanks, type Persona, type SimProduct } from './personas.js'
import { arrive, browse, participate, type SimShopper } from './shopper.js'

export interface SimulationOptions {
  /** Base URL of the edge worker, ending in '/'. */
  readonly url: string
  readonly shoppers: number
  readonly rounds: number
  /** Where to write the report the privacy panel reads (served as /shop/simulation.json). */
  readonly out: string
  readonly seed: number
  /** Held-out validation sessions per persona. */
  readonly heldOutPerPersona: number
  /** δ of the ε the report gives (when the server does not report ε itself). */
  readonly delta: number
  /** Shoppers browsing at the same time. */
  readonly concurrency: number
  readonly log: (line: string) => void
}

/** One published model in the report. */
export interface ReportEvaluation {
  readonly modelVersion: number
  readonly p20: number
  readonly cases: number
  /** The (last) round that published this version (null for the version the simulation started from). */
  readonly roundId: number | null
  readonly participants: number
  /** Cumulative ε of a device after that round (the server's figure if it reports one; null: unbounded). */
  readonly epsilon: number | null
}

/** What the simulation writes (and the privacy panel reads). */
export interface SimulationReport {
  readonly generatedAt: string
  readonly shoppers: number
  readonly personas: readonly Persona[]
  readonly heldOut: { readonly sessions: number; readonly cases: number; readonly seed: number }
  readonly delta: number
  readonly evaluations: readonly ReportEvaluation[]
}

type LedgerWithEpsilon = RoundLedgerEntry & { readonly epsilon?: number | null }

/** GET /v1/privacy: the ledger, and (ε, δ) of the served model when the server reports it. */
interface PrivacyResponse {
  readonly rounds: readonly LedgerWithEpsilon[]
  readonly model?: { readonly version: number; readonly epsilon: number | null; readonly delta: number }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' })
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`)
  return (await res.json()) as T
}

async function modelBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(`${url}v1/model`)
  if (!res.ok) throw new Error(`GET ${url}v1/model answered ${res.status}`)
  return new Uint8Array(await res.arrayBuffer())
}

/**
 * ε of a device after the given closed rounds: the server's cumulative figure when the ledger
 * carries one, else the RDP accountant over every round that accepted updates.
 */
export function epsilonAfter(rounds: readonly LedgerWithEpsilon[], delta: number): number | null {
  const last = rounds[rounds.length - 1]
  if (last?.epsilon !== undefined) return last.epsilon
  // Abandoned rounds published nothing and cost nothing (as the server's own ledger counts them).
  const steps = rounds.filter((r) => r.outcome === 'published').map((r) => ({ q: r.sampleRate, noiseMultiplier: r.noiseMultiplier }))
  if (steps.length === 0) return 0
  const { epsilon } = computeEpsilonForSteps(steps, delta)
  return Number.isFinite(epsilon) ? epsilon : null
}

/** Checks that the edge closes rounds with this cohort, or explains how to start it. */
export function checkRoundSettings(round: RoundConfig, shoppers: number): string | null {
  const fix = `start the edge with FEDREC_MIN_CLIENTS=${shoppers} FEDREC_EXPECTED_CLIENTS=${shoppers} FEDREC_SAMPLE_RATE=1 (e.g. npx wrangler dev --var FEDREC_EXPECTED_CLIENTS:${shoppers} …), or run simulate without --url to let it start its own`
  if (round.expectedClients > shoppers) return `the edge closes a round at ${round.expectedClients} updates but only ${shoppers} shoppers take part: rounds would never close; ${fix}`
  if (round.sampleRate < 1) return `the edge samples devices with rate ${round.sampleRate}: not every shopper takes part in each round; ${fix}`
  return null
}

async function inBatches<T>(items: readonly T[], size: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}

function writeReport(path: string, report: SimulationReport): void {
  mkdirSync(dirname(path), { recursive: true })
  // Write then rename, so the panel never reads half a file.
  writeFileSync(`${path}.tmp`, JSON.stringify(report, null, 1))
  renameSync(`${path}.tmp`, path)
}

/**
 * Runs the simulation against a running edge worker.
 * @example await runSimulation(browser, { url: 'http://127.0.0.1:8787/', shoppers: 3, rounds: 5, ... })
 */
export async function runSimulation(browser: Browser, o: SimulationOptions): Promise<SimulationReport> {
  const products = await getJson<SimProduct[]>(`${o.url}shop/products.json`)
  const start = await getJson<RoundConfig>(`${o.url}v1/round`)
  const problem = checkRoundSettings(start, o.shoppers)
  if (problem) throw new Error(problem)
  const personas = Array.from({ length: o.shoppers }, (_, i) => personaFor(i, o.seed))
  const heldOut = heldOutSessions(personas, products, o.heldOutPerPersona, o.seed + 1_000_003).map((s) => s.map((p) => p.sku))
  const evaluations: ReportEvaluation[] = []
  const report = (): SimulationReport => ({
    generatedAt: new Date().toISOString(),
    shoppers: o.shoppers,
    personas,
    heldOut: { sessions: heldOut.length, cases: evaluations[0]?.cases ?? 0, seed: o.seed + 1_000_003 },
    delta: o.delta,
    evaluations,
  })

  const first = await evaluateModelBytes(await modelBytes(o.url), heldOut)
  const priv0 = await getJson<PrivacyResponse>(`${o.url}v1/privacy`)
  evaluations.push({ ...first, roundId: null, participants: 0, epsilon: priv0.model?.epsilon ?? epsilonAfter(priv0.rounds, o.delta) })
  writeReport(o.out, report())
  o.log(`model v${first.modelVersion}: P@20 ${first.p20.toFixed(1)}% on ${first.cases} held-out predictions (${heldOut.length} sessions)`)

  const shoppers: SimShopper[] = []
  for (const persona of personas) {
    const context = await browser.newContext()
    shoppers.push({ persona, context, page: await context.newPage() })
  }
  const ranks = priceRanks(products)
  try {
    await inBatches(shoppers, o.concurrency, (s) => arrive(s, o.url))
    for (let r = 0; r < o.rounds; r++) {
      const round = await getJson<RoundConfig>(`${o.url}v1/round`)
      const sent: string[] = []
      await inBatches(shoppers, o.concurrency, async (s) => {
        const rnd = mulberry32(o.seed * 104_729 + r * 997 + personas.indexOf(s.persona))
        try {
          await browse(s, o.url, planSession(s.persona, products, rnd, ranks))
        } catch (e) {
          // A page that failed to load is part of shopping: note it and take part with what was recorded.
          o.log(`  ${s.persona.name}: browsing stopped early (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`)
          await s.page.close().catch(() => undefined)
          s.page = await s.context.newPage()
          await s.page.goto(o.url)
        }
        try {
          let res = await participate(s)
          // Another shopper's update closed the round this one trained for: take part in the next.
          if (res.status === 'skipped' && res.reason === 'rejected' && res.detail?.includes('round_closed')) res = await participate(s)
          if (res.status === 'sent' || (res.reason === 'already_decided' && res.detail === 'sent')) sent.push(s.persona.name)
          else o.log(`  ${s.persona.name}: did not send (${res.reason}${res.detail ? `: ${res.detail}` : ''})`)
        } catch (e) {
          o.log(`  ${s.persona.name}: could not take part (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`)
        }
      })
      const after = await getJson<RoundConfig>(`${o.url}v1/round`)
      if (after.roundId === round.roundId) {
        o.log(`round ${round.roundId}: ${sent.length} of ${round.expectedClients} updates arrived; the round is still open`)
        continue
      }
      // With a cohort smaller than the shoppers, several rounds close in one pass: report them all.
      const priv = await getJson<PrivacyResponse>(`${o.url}v1/privacy`)
      const closed = priv.rounds.filter((x) => x.roundId >= round.roundId && x.roundId < after.roundId)
      const ev = await evaluateModelBytes(await modelBytes(o.url), heldOut)
      const epsilon = priv.model?.version === ev.modelVersion ? priv.model.epsilon : epsilonAfter(priv.rounds.filter((x) => x.roundId < after.roundId), o.delta)
      const participants = closed.reduce((n, x) => n + x.cohortSize, 0)
      evaluations.push({ ...ev, roundId: after.roundId - 1, participants, epsilon })
      writeReport(o.out, report())
      const ids = closed.map((x) => x.roundId).join(', ')
      o.log(`round${closed.length > 1 ? 's' : ''} ${ids}: ${participants} participant${participants === 1 ? '' : 's'} → model v${ev.modelVersion}: P@20 ${ev.p20.toFixed(1)}%, ε ${epsilon === null ? 'unbounded' : epsilon.toPrecision(4)}`)
    }
  } finally {
    for (const s of shoppers) await s.context.close().catch(() => undefined)
  }
  return report()
}
