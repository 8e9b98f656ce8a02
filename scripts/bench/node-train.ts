/**
 * Bench section: one local training pass (the SDK's `trainLocal`, LOCAL_TRAIN schedule) over a
 * 200-event history in Node with pure @tensorflow/tfjs (cpu backend): the baseline the browser
 * backends are compared with.
 */
import type { StoredEvent } from '../../sdk/src/core/ga4.js'
import { toSessions } from '../../sdk/src/worker/sequences.js'
import type { Section } from './context.js'
import { demoCatalogue, demoModel } from './demo-assets.js'
import { syntheticHistory } from './history.js'
import { median, timeRuns } from './stats.js'

/** Events as the SDK stores them, ten seconds apart (one session, as in the browser bench). */
export function storedEvents(t0 = Date.UTC(2026, 0, 1)): StoredEvent[] {
  return syntheticHistory(demoCatalogue()).map((e, i) => ({ name: e.name, ts: t0 + i * 10_000, params: { items: [{ item_id: e.itemId }] } }))
}

export const nodeTrainSection: Section = {
  name: 'node-train',
  async run(ctx) {
    // The CommonJS build registers the cpu backend and all gradients in tfjs's global engine,
    // which sdk/src/model's tfjs-core import shares under Node.
    const tf = await import('@tensorflow/tfjs')
    const { trainLocal, LOCAL_TRAIN } = await import('../../sdk/src/worker/local-training.js')
    await tf.setBackend('cpu')
    const model = demoModel()
    const sessions = toSessions(storedEvents(), model.vocab)
    const runs = ctx.quick ? 1 : 3
    ctx.log(`node-train: ${runs} run(s) of trainLocal (${LOCAL_TRAIN.epochs} epochs) on tfjs ${tf.version.tfjs} cpu`)
    let examples = 0
    const ms = await timeRuns(runs, async () => (examples = (await trainLocal(model, sessions)).examples), ctx.quick ? 0 : 1)
    ctx.record('train_ms.node', median(ms))
    ctx.record('train.examples', examples)
    ctx.record('train.epochs', LOCAL_TRAIN.epochs)
    ctx.rows.push({ section: 'on-device training (200 events)', metric: 'Node tfjs cpu (baseline)', value: median(ms), unit: 'ms', note: `${examples} examples × ${LOCAL_TRAIN.epochs} epochs, ${model.bundle.description.vocab.length} items, median of ${runs}` })
  },
}
