/** Type-level tests of the public API (checked by `tsc`; vitest runs them as no-ops at run time). */
import { describe, expectTypeOf, it } from 'vitest'
import {
  createFedrec,
  html,
  RecommendType,
  type Candidate,
  type ConsentState,
  type Explanation,
  type FedrecClient,
  type FedrecConfig,
  type FedrecGlobal,
  type FedrecStatus,
  type ItemTemplate,
  type LocalDataExport,
  type OnDeviceScores,
  type ParticipationResult,
  type PreferenceProfile,
  type Recommendation,
  type SafeHtml,
  type WidgetClasses,
  type WidgetOptions,
} from './sdk.js'

interface ShopItem extends Candidate {
  readonly sku_group: number
}

describe('public API types', () => {
  it('creates a client from a config', () => {
    expectTypeOf(createFedrec).parameter(0).toEqualTypeOf<FedrecConfig | undefined>()
    expectTypeOf(createFedrec).returns.toEqualTypeOf<FedrecClient>()
    expectTypeOf<FedrecConfig['path']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<FedrecConfig['maxEvents']>().toEqualTypeOf<number | undefined>()
  })

  it('recommends with the shop’s own item type and explains each item', () => {
    const c = {} as FedrecClient
    expectTypeOf(c.recommend<ShopItem>).returns.resolves.toEqualTypeOf<Recommendation<ShopItem>[]>()
    expectTypeOf<Recommendation<ShopItem>['item']>().toEqualTypeOf<ShopItem>()
    expectTypeOf<Recommendation['reason']>().toEqualTypeOf<Explanation>()
    expectTypeOf<Explanation['kind']>().toEqualTypeOf<'history' | 'popular' | 'related' | 'bought_together' | 'trending' | 'recently_viewed'>()
    expectTypeOf<RecommendType>().toEqualTypeOf<'for_you' | 'related' | 'bought_together' | 'trending' | 'recently_viewed'>()
    expectTypeOf(RecommendType.BoughtTogether).toEqualTypeOf<'bought_together'>()
    expectTypeOf(c.rank<ShopItem>).returns.resolves.items.toHaveProperty('score').toEqualTypeOf<number | null>()
  })

  it('renders with templates that must come from the html tag', () => {
    const c = {} as FedrecClient
    expectTypeOf(html).returns.toEqualTypeOf<SafeHtml>()
    expectTypeOf<ItemTemplate<ShopItem>>().returns.toEqualTypeOf<SafeHtml>()
    // A plain string is not a template result.
    expectTypeOf<() => string>().not.toExtend<ItemTemplate>()
    expectTypeOf<WidgetOptions<ShopItem>['classes']>().toEqualTypeOf<Partial<WidgetClasses> | undefined>()
    expectTypeOf(c.render<ShopItem>).parameter(1).toEqualTypeOf<WidgetOptions<ShopItem>>()
    expectTypeOf(c.render<ShopItem>).returns.resolves.toEqualTypeOf<Recommendation<ShopItem>[]>()
  })

  it('exposes consent, rights, scores and profile', () => {
    const c = {} as FedrecClient
    expectTypeOf<FedrecClient['consent']['state']>().returns.resolves.toEqualTypeOf<ConsentState>()
    expectTypeOf<ConsentState>().toEqualTypeOf<'pending' | 'granted' | 'denied'>()
    expectTypeOf(c.forget).returns.resolves.toBeVoid()
    expectTypeOf(c.export).returns.resolves.toEqualTypeOf<LocalDataExport>()
    expectTypeOf(c.scores).returns.resolves.toEqualTypeOf<OnDeviceScores>()
    expectTypeOf<OnDeviceScores['purchaseIntent']>().toBeNumber()
    expectTypeOf(c.profile).returns.resolves.toEqualTypeOf<PreferenceProfile>()
    expectTypeOf(c.participate).returns.resolves.toEqualTypeOf<ParticipationResult>()
    expectTypeOf<FedrecStatus['privacySignal']>().toEqualTypeOf<'gpc' | 'dnt' | null>()
    expectTypeOf<FedrecStatus['storage']>().toEqualTypeOf<'indexeddb' | 'memory'>()
  })

  it('types the script-tag global', () => {
    expectTypeOf<FedrecGlobal['ready']>().resolves.toEqualTypeOf<FedrecClient>()
    expectTypeOf<FedrecGlobal['html']>().toEqualTypeOf(html)
    expectTypeOf<FedrecGlobal>().toBeCallableWith('event', 'view_item', { items: [{ item_id: 'SKU-1' }] })
    expectTypeOf<FedrecGlobal>().toBeCallableWith((client: FedrecClient) => void client.flush())
  })
})
