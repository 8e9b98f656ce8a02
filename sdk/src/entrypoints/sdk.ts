/**
 * SDK core entry (ESM, no tfjs): the npm import (`import { createFedrec } from '@fedrec/sdk'`)
 * and the module the script-tag loader boots. Everything public is listed here.
 */
export { createFedrec, FedrecClient } from '../core/fedrec-client.js'
export type { FedrecStatus, RecommendOptions, WidgetOptions } from '../core/fedrec-client.js'
export type { FedrecConfig } from '../core/config.js'
export { boot } from '../core/command-queue.js'
export type { BootOptions, FedrecGlobal, QueuedCall } from '../core/command-queue.js'
export { EventName } from '../core/ga4.js'
export type { EventParams, Ga4Item, StoredEvent } from '../core/ga4.js'
export { RecommendType } from '../recommend/types.js'
export type { Explanation } from '../recommend/types.js'
export type { OnDeviceScores, SessionFeatures, ShopperFeatures } from '../scores/on-device-scores.js'
export type { Affinity, PreferenceProfile, PriceBandAffinity } from '../profile/preference-profile.js'
export type { Json, LocalDataExport } from '../privacy/local-data.js'
export type { PrivacySignal } from '../privacy/privacy-signals.js'
export { DEFAULT_CLASSES, defaultTemplate } from '../widget/render-list.js'
export type { Candidate, ItemTemplate, RankedItem, Recommendation, RenderOptions, TemplateContext, WidgetClasses } from '../widget/render-list.js'
export { escapeHtml, html, safeUrl, unsafeHtml } from '../widget/templates.js'
export type { SafeHtml } from '../widget/templates.js'
export type { Backend, BackendAttempt } from '../worker/backend-kinds.js'
export type { ConsentState, ParticipationResult, RankResult, SkipReason, LedgerEntry } from '../worker/worker-api.js'
export type { DevicePrivacyLedger, DevicePrivacyOptions, ParticipationCap, PrivacyBudget, PrivacyStop, SentPayload } from '../worker/privacy-types.js'
