/** Types of bundle-sizes.mjs (plain JS so `npm test` can run it without a TypeScript loader). */
export interface SizeGroup {
  readonly files: string[]
  readonly raw: number
  readonly gz: number
  readonly br: number
}
export interface BundleSizes {
  readonly loader: SizeGroup
  readonly core: SizeGroup
  readonly worker: SizeGroup
  readonly workerEntry: SizeGroup
  readonly workerBackends: Readonly<Record<string, SizeGroup>>
  readonly wasmBinaries: SizeGroup
}
export type BundleBudgets = Readonly<Record<'loader' | 'core' | 'worker', number>>
export declare const SDK_DIST: string
export declare const BUNDLE_BUDGETS: BundleBudgets
export declare function importsOf(code: string): { static: string[]; dynamic: string[] }
export declare function compressedSizes(bytes: Uint8Array, brotliQuality?: number): { raw: number; gz: number; br: number }
export declare function staticClosure(file: string): string[]
export declare function measureBundles(dir?: string): BundleSizes
export declare function checkBudgets(sizes: Pick<BundleSizes, 'loader' | 'core' | 'worker'> | Readonly<Record<'loader' | 'core' | 'worker', { readonly gz: number }>>, budgets?: BundleBudgets): string[]
export declare function formatBundles(sizes: BundleSizes, budgets?: BundleBudgets): string
