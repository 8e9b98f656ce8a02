/** The `fedrec(...)` command function of the script tag: queued before load, dispatched after. */
import { html, safeUrl } from '../widget/templates.js'
import type { ConsentState } from '../worker/worker-api.js'
import { configFromDataset } from './config.js'
import { createFedrec, type FedrecClient, type FedrecConfig } from './fedrec-client.js'

/** A queued call: the arguments the page passed to `fedrec(...)`. */
export type QueuedCall = ArrayLike<unknown>

/** The global `window.fedrec` once the SDK has loaded. */
export interface FedrecGlobal {
  (command: string | ((client: FedrecClient) => void), ...args: unknown[]): void
  readonly client: FedrecClient
  readonly ready: Promise<FedrecClient>
  readonly loaded: true
  /** The escaping template tag, for item templates of script-tag users. */
  readonly html: typeof html
  readonly safeUrl: typeof safeUrl
}

export interface BootOptions {
  /** Where the SDK files are served from (ending in '/'). */
  readonly base: string
  /** `data-*` attributes of the script tag. */
  readonly dataset: Readonly<Record<string, string | undefined>>
  /** Calls made before the SDK loaded, in order. */
  readonly queue: readonly QueuedCall[]
}

/**
 * Creates the client, replays the queue in order and installs the live command function.
 * Commands: `init(config)`, `event(name, params)`, `render(target, options)`,
 * `consent('grant' | 'deny')`, `participate()`, `forget()`, or a function called with the client.
 * Configuration: the tag's `data-*` attributes, overridden by an `init` call.
 */
export function boot(opts: BootOptions): FedrecGlobal {
  const queue = [...opts.queue]
  // An `init` call anywhere in the queue configures the client before anything else runs.
  const initIdx = queue.findIndex((c) => c[0] === 'init')
  const rawInit = initIdx >= 0 ? queue.splice(initIdx, 1)[0]![1] : undefined
  const initCfg = typeof rawInit === 'object' && rawInit !== null ? (rawInit as FedrecConfig) : {}
  if (rawInit !== undefined && initCfg !== rawInit) console.warn('[fedrec] init expects an options object; using the defaults')
  const client = createFedrec({ assetBase: opts.base, ...configFromDataset(opts.dataset), ...initCfg })
  const dispatch = (command: unknown, ...args: unknown[]): void => {
    try {
      if (typeof command === 'function') {
        ;(command as (c: FedrecClient) => void)(client)
        return
      }
      switch (command) {
        case 'init':
          console.warn('[fedrec] init called after the SDK started; ignored')
          return
        case 'event':
          client.track(String(args[0]), args[1] as never)
          return
        case 'render':
          void client.render(args[0] as string, args[1] as never)
          return
        case 'consent':
          void (args[0] === 'grant' ? client.consent.grant() : args[0] === 'deny' ? client.consent.deny() : Promise.reject(new Error(`consent expects 'grant' or 'deny', got ${String(args[0] as ConsentState)}`))).catch((e: unknown) => console.warn('[fedrec]', e))
          return
        case 'participate':
          void client.participate()
          return
        case 'forget':
          void client.forget()
          return
        default:
          console.warn(`[fedrec] unknown command ${String(command)}`)
      }
    } catch (e) {
      console.warn('[fedrec] command failed', command, e)
    }
  }
  const global = Object.assign((command: string | ((c: FedrecClient) => void), ...args: unknown[]) => dispatch(command, ...args), {
    client,
    ready: Promise.resolve(client),
    loaded: true as const,
    html,
    safeUrl,
  })
  for (const call of queue) dispatch(...(Array.from(call) as [unknown, ...unknown[]]))
  return global
}
