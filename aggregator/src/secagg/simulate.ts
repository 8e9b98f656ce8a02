/**
 * Runs one cohort in memory: n clients and the server, with clients dropping out before any step.
 * The same code paths as a deployment minus the transport; used by the tests, the benchmark and
 * anyone who wants to see the protocol run end to end in Node.
 */
import { SecAggAbortError, SecAggClient } from './client.js'
import type { CohortParams } from './messages.js'
import { SecAggServer, type SecAggResult } from './server.js'

/** The step a client drops out before (it sends nothing from that step on), or null. */
export type DropPoint = 'advertise_keys' | 'share_keys' | 'masked_input' | 'unmask' | null

export interface CohortRun {
  /** The result, or null when the run was abandoned. */
  readonly result: SecAggResult | null
  readonly abandonedBecause: string | null
  /** Bytes each client sent, per client (public keys, sealed shares, masked input, shares). */
  readonly bytesSent: readonly number[]
  /** Milliseconds the server spent unmasking (reconstruction and mask removal), or null. */
  readonly unmaskMs: number | null
}

const ORDER = ['advertise_keys', 'share_keys', 'masked_input', 'unmask'] as const

function active(drop: DropPoint, step: (typeof ORDER)[number]): boolean {
  return drop === null || ORDER.indexOf(step) < ORDER.indexOf(drop)
}

/**
 * @example
 * const run = await simulateCohort(params, inputs, [null, 'masked_input', null, null])
 * run.result?.sum // = inputs[0] + inputs[2] + inputs[3] mod 2^32
 */
export async function simulateCohort(
  params: CohortParams,
  inputs: readonly Uint32Array[],
  drops: readonly DropPoint[],
  opts: { readonly degree?: (n: number) => number } = {},
): Promise<CohortRun> {
  const n = inputs.length
  const server = new SecAggServer(params, { maxMembers: n, ...opts })
  const clients: (SecAggClient | null)[] = []
  const bytes = inputs.map(() => 0)
  for (let k = 0; k < n; k++) {
    const i = server.join()!
    clients.push(await SecAggClient.create(params, i))
  }
  server.close()
  const done = (): CohortRun => ({ result: null, abandonedBecause: server.abandonedBecause, bytesSent: bytes, unmaskMs: null })
  const live = (step: (typeof ORDER)[number]): number[] => clients.flatMap((c, i) => (c && active(drops[i] ?? null, step) ? [i] : []))
  // A client that aborts (e.g. too few neighbours shared) is a dropout from then on.
  const guard = async (i: number, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn()
    } catch (e) {
      if (!(e instanceof SecAggAbortError)) throw e
      clients[i] = null
    }
  }

  for (const i of live('advertise_keys')) {
    const msg = clients[i]!.advertise()
    bytes[i]! += msg.encryptionKey.length + msg.maskingKey.length
    await server.receiveKeys(i, msg)
  }
  server.close()
  if (server.abandonedBecause !== null) return done()

  for (const i of live('share_keys')) {
    await guard(i, async () => {
      const msg = await clients[i]!.shareKeys(server.roster(i))
      bytes[i]! += msg.selfMaskCommitment.length + msg.shares.reduce((s, x) => s + x.sealed.length + 2, 0)
      server.receiveShares(i, msg)
    })
  }
  server.close()
  if (server.abandonedBecause !== null) return done()

  for (const i of live('masked_input')) {
    await guard(i, async () => {
      const y = await clients[i]!.maskInput(server.inbox(i), inputs[i]!)
      bytes[i]! += 4 * y.length
      server.receiveMasked(i, y)
    })
  }
  server.close()
  if (server.abandonedBecause !== null) return done()

  for (const i of live('unmask')) {
    await guard(i, async () => {
      const msg = clients[i]!.unmask(server.survivors(i))
      bytes[i]! += [...msg.selfMaskShares, ...msg.maskingKeyShares].reduce((s, x) => s + x.share.length + 2, 0)
      server.receiveUnmask(i, msg)
    })
  }
  if (!server.reconstructible()) {
    server.abandon('too few unmasking shares before the deadline')
    return done()
  }
  const t0 = performance.now()
  const result = await server.finish()
  return { result, abandonedBecause: null, bytesSent: bytes, unmaskMs: performance.now() - t0 }
}
