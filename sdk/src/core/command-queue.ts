/** The `fedrec(...)` command function of the script tag: queued before load, dispatched after. */
import type { ConsentState } from '../worker/worker-api.js'
import { createFedrec, type FedrecClient, type FedrecConfig } from './fedrec-client.js'

/** A queued call: the arguments the page passed to `fedrec(...)`. */
export type QueuedCall = ArrayLike<unknown>

/** The global `window.fedrec` once the SDK has loaded. */
export interface FedrecGlobal {
  (command: string | ((client: FedrecClient) => void), ...args: unknown[]): void
  readonly client: FedrecClient
  readonly ready: Promise<FedrecClient>
  readonly loaded: true
}

export interface BootOptions {
  /** Where the SDK files are served from (ending in '/'). */
  readonly base: string
  /** `data-*` attributes of the script tag. */
  readonly dataset: Readonly<Record<string, string | undefined>>
  /** Calls made before the SDK loaded, in order. */
  readonly queue: readonly QueuedCall[]
}

function configFromDataset(d: BootOptions['dataset'], base: string): FedrecConfig {
  return {
    assetBase: base,
    ...(d.api !== undefined ? { apiBase: d.api } : {}),
    ...(d.autoParticipate !== undefined ? { autoParticipate: d.autoParticipate !== 'false' } : {}),
  }
}

/**
 * Creates the client, replays the queue in order and installs the live command function.
 * Commands: `init(config)`, `event(name, params)`, `render(target, options)`,
 * `consent('grant' | 'deny')`, `participate()`, or a function called with the client.
 */
export function boot(opts: BootOptions): FedrecGlobal {
  const queue = [...opts.queue]
  // An `init` call anywhere in the queue configures the client before anything else runs.
  const initIdx = queue.findIndex((c) => c[0] === 'init')
  const initCfg = initIdx >= 0 ? ((queue.splice(initIdx, 1)[0]![1] ?? {}) as FedrecConfig) : {}
  const client = createFedrec({ ...configFromDataset(opts.dataset, opts.base), ...initCfg })
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
  })
  for (const call of queue) dispatch(...(Array.from(call) as [unknown, ...unknown[]]))
  return global
}
