import { describe, expectTypeOf, it } from 'vitest'
import type { DevicePrivacyLedger, FedrecClient, FedrecConfig, FedrecStatus, ParticipationResult, PrivacyStop, SentPayload, SkipReason } from '../entrypoints/sdk.js'

describe('public privacy API (types)', () => {
  it('exposes the ledger and the sent payloads on the client', () => {
    expectTypeOf<FedrecClient['privacy']['ledger']>().returns.resolves.toEqualTypeOf<DevicePrivacyLedger | null>()
    expectTypeOf<FedrecClient['privacy']['sentPayloads']>().returns.resolves.toEqualTypeOf<SentPayload[]>()
    expectTypeOf<SentPayload['bytes']>().toEqualTypeOf<Uint8Array>()
    expectTypeOf<DevicePrivacyLedger['epsilon']>().toEqualTypeOf<number | null>()
  })

  it('configures a budget and a cap, and reports why the device stopped', () => {
    expectTypeOf<{ privacy: { budget: { epsilon: 8; delta: 1e-6 }; participationCap: { max: 4; periodMs: 1 } } }>().toMatchTypeOf<FedrecConfig>()
    expectTypeOf<'budget_exhausted'>().toMatchTypeOf<SkipReason>()
    expectTypeOf<'participation_cap'>().toMatchTypeOf<SkipReason>()
    expectTypeOf<NonNullable<FedrecStatus['privacy']>['stopped']>().toEqualTypeOf<PrivacyStop | null>()
    expectTypeOf<{ status: 'skipped'; reason: 'budget_exhausted'; detail: string }>().toMatchTypeOf<ParticipationResult>()
  })
})
