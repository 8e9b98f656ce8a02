/**
 * The device's own privacy ledger (IndexedDB): every round it drew a coin for, with (q, z, C);
 * the ε that adds up to by the RDP accountant; the budget after which it stops contributing; the
 * participation cap per period; and the last payloads it sent.
 */
import { computeEpsilonForSteps, payloadNoiseMultiplier, type RoundConfig } from '../../../aggregator/src/index.js'
import { KvKey, type EventStore } from '../store/event-store.js'
import type { DevicePrivacyLedger, DevicePrivacyOptions, LedgerEntry, ParticipationCap, PrivacyBudget, PrivacyStop, SentPayload } from './privacy-types.js'

/** δ the ledger reports ε at when no budget names one (the edge's FEDREC_TARGET_DELTA default). */
export const DEFAULT_LEDGER_DELTA = 1e-6

/**
 * Defaults: no ε budget (the page opts in), 24 payloads a day at most, 10 payloads kept.
 * @example DEVICE_PRIVACY_DEFAULTS.participationCap // { max: 24, periodMs: 86_400_000 }
 */
export const DEVICE_PRIVACY_DEFAULTS = {
  budget: null,
  participationCap: { max: 24, periodMs: 24 * 3600 * 1000 },
  keepPayloads: 10,
} as const satisfies Required<DevicePrivacyOptions>

/** Why the device will not draw a coin for a round. */
export interface PrivacyGateRefusal {
  readonly reason: 'budget_exhausted' | 'participation_cap'
  readonly detail: string
}

interface StoredLedger {
  readonly entries: LedgerEntry[]
  readonly stopped: PrivacyStop | null
}

function checkOptions(o: DevicePrivacyOptions): Required<DevicePrivacyOptions> {
  const budget = o.budget ?? null
  if (budget && !(budget.epsilon > 0 && budget.delta > 0 && budget.delta < 1)) throw new RangeError(`privacy budget needs ε > 0 and δ in (0, 1), got ε=${budget.epsilon}, δ=${budget.delta}`)
  const cap = o.participationCap ?? DEVICE_PRIVACY_DEFAULTS.participationCap
  if (!(Number.isInteger(cap.max) && cap.max >= 0 && cap.periodMs > 0)) throw new RangeError(`participation cap needs an integer max ≥ 0 and a positive period, got ${JSON.stringify(cap)}`)
  const keepPayloads = o.keepPayloads ?? DEVICE_PRIVACY_DEFAULTS.keepPayloads
  if (!(Number.isInteger(keepPayloads) && keepPayloads >= 0)) throw new RangeError(`keepPayloads must be an integer ≥ 0, got ${keepPayloads}`)
  return { budget, participationCap: cap, keepPayloads }
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)

/**
 * The device's privacy ledger over its store.
 * @example
 * const privacy = new DevicePrivacy(store, { budget: { epsilon: 8, delta: 1e-6 } })
 * const refusal = await privacy.gate(round) // null: the device may draw its coin
 */
export class DevicePrivacy {
  private readonly opts: Required<DevicePrivacyOptions>

  constructor(
    private readonly store: EventStore,
    options: DevicePrivacyOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = checkOptions(options)
  }

  private get delta(): number {
    return this.opts.budget?.delta ?? DEFAULT_LEDGER_DELTA
  }

  private async load(): Promise<StoredLedger> {
    const raw = await this.store.get<StoredLedger | Omit<LedgerEntry, 'clipQuantile' | 'payloadNoiseMultiplier' | 'sampled'>[]>(KvKey.Ledger)
    if (raw === undefined) return { entries: [], stopped: null }
    // The walking skeleton stored a bare array of sent payloads.
    if (Array.isArray(raw)) return { entries: raw.map((e) => ({ clipQuantile: null, payloadNoiseMultiplier: e.noiseMultiplier, sampled: true, ...e })), stopped: null }
    return raw
  }

  private async save(l: StoredLedger): Promise<void> {
    await this.store.set(KvKey.Ledger, l)
  }

  private epsilonOf(entries: readonly Pick<LedgerEntry, 'sampleRate' | 'noiseMultiplier'>[]): number {
    return computeEpsilonForSteps(entries.map((e) => ({ q: e.sampleRate, noiseMultiplier: e.noiseMultiplier })), this.delta).epsilon
  }

  private sentInPeriod(entries: readonly LedgerEntry[]): number {
    const since = this.now() - this.opts.participationCap.periodMs
    return entries.filter((e) => e.bytes > 0 && e.at > since).length
  }

  /**
   * Whether the device may draw its coin for `round`: not when that round could take its ε past
   * the budget (the coin itself counts, sampled or not), nor when the cap is reached.
   * @returns null to go ahead, or the refusal to report to the page
   */
  async gate(round: RoundConfig): Promise<PrivacyGateRefusal | null> {
    const ledger = await this.load()
    const budget: PrivacyBudget | null = this.opts.budget
    if (budget) {
      const spent = this.epsilonOf(ledger.entries)
      const next = this.epsilonOf([...ledger.entries, round])
      if (!(next <= budget.epsilon)) {
        const stop: PrivacyStop = {
          reason: 'budget_exhausted',
          detail: `ε = ${spent.toFixed(3)} spent of a budget of ${budget.epsilon} at δ = ${budget.delta}; round ${round.roundId} (q = ${round.sampleRate}, z = ${round.noiseMultiplier}) would bring it to ${Number.isFinite(next) ? next.toFixed(3) : '∞'}, so this device no longer contributes`,
        }
        await this.save({ ...ledger, stopped: stop })
        return stop
      }
    }
    // A budget raised since the device stopped lets it contribute again.
    if (ledger.stopped) await this.save({ ...ledger, stopped: null })
    const cap = this.opts.participationCap
    const used = this.sentInPeriod(ledger.entries)
    if (used >= cap.max) {
      return { reason: 'participation_cap', detail: `${used} payloads sent in the last ${cap.periodMs / 3_600_000} h, the cap is ${cap.max}` }
    }
    return null
  }

  /** Records the coin the device drew for `round`. */
  async recordDraw(round: RoundConfig, sampled: boolean): Promise<void> {
    const ledger = await this.load()
    const entry: LedgerEntry = {
      roundId: round.roundId,
      modelVersion: round.modelVersion,
      at: this.now(),
      sampleRate: round.sampleRate,
      noiseMultiplier: round.noiseMultiplier,
      clipNorm: round.clipNorm,
      noiseMode: round.noiseMode,
      clipQuantile: round.adaptiveClipping?.targetQuantile ?? null,
      payloadNoiseMultiplier: payloadNoiseMultiplier(round),
      sampled,
      bytes: 0,
    }
    await this.save({ ...ledger, entries: [...ledger.entries, entry] })
  }

  /** Records that the payload `body` was accepted for `round`, and keeps it for inspection. */
  async recordSent(round: RoundConfig, body: Uint8Array): Promise<void> {
    const ledger = await this.load()
    let i = ledger.entries.length - 1
    while (i >= 0 && ledger.entries[i]!.roundId !== round.roundId) i--
    if (i < 0) throw new Error(`no coin was recorded for round ${round.roundId}`)
    const entries = ledger.entries.slice()
    entries[i] = { ...entries[i]!, bytes: body.length }
    await this.save({ ...ledger, entries })
    if (this.opts.keepPayloads === 0) return
    const sent = await this.sentPayloads()
    const payload: SentPayload = { roundId: round.roundId, modelVersion: round.modelVersion, sentAt: this.now(), bytes: body.slice() }
    await this.store.set(KvKey.SentPayloads, [...sent, payload].slice(-this.opts.keepPayloads))
  }

  /** The last payloads sent, oldest first. */
  async sentPayloads(): Promise<SentPayload[]> {
    const raw = (await this.store.get<(SentPayload | Uint8Array)[]>(KvKey.SentPayloads)) ?? []
    return raw.map((p) => {
      if (!(p instanceof Uint8Array)) return p
      // Walking-skeleton records were bare bodies: model version and round id sit at bytes 8 and 12.
      const dv = new DataView(p.buffer, p.byteOffset, p.byteLength)
      return { roundId: dv.getUint32(12, true), modelVersion: dv.getUint32(8, true), sentAt: 0, bytes: p }
    })
  }

  /** The ledger with ε spent against model observers and against the aggregator. */
  async ledger(): Promise<DevicePrivacyLedger> {
    const { entries, stopped } = await this.load()
    const sent = entries.filter((e) => e.bytes > 0)
    const perPayload = computeEpsilonForSteps(sent.map((e) => ({ q: 1, noiseMultiplier: e.payloadNoiseMultiplier })), this.delta).epsilon
    const cap: ParticipationCap = this.opts.participationCap
    return {
      entries,
      epsilon: finite(this.epsilonOf(entries)),
      epsilonPerPayloads: finite(perPayload),
      delta: this.delta,
      budget: this.opts.budget,
      participationCap: cap,
      participationsInPeriod: this.sentInPeriod(entries),
      stopped,
    }
  }
}
