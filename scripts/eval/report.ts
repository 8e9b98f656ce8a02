/** Human-readable output of a run: the markdown results table and the parameter notes. */

import type { ModelResult } from './run.js'

/**
 * Bytes in a short human form (binary units).
 * @example formatBytes(1536) // '1.5 KiB'
 */
export function formatBytes(n: number | null): string {
  if (n === null) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`
}

const dash = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits))

/**
 * The results as a markdown table (metrics in percent), one row per model.
 * @example console.log(markdownTable(results))
 */
export function markdownTable(results: readonly ModelResult[]): string {
  const head =
    '| model | P@20 | MRR@20 | NDCG@20 | HR@10 | NDCG@10 | train s | eval s | model | upload | ε | δ | rounds |'
  const rule = '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'
  const rows = results.map((r) => {
    const j = r.json
    return (
      `| ${j.name} | ${j.p20.toFixed(2)} | ${j.mrr20.toFixed(2)} | ${j.ndcg20.toFixed(2)} | ` +
      `${j.hr10.toFixed(2)} | ${j.ndcg10.toFixed(2)} | ${j.train_seconds.toFixed(1)} | ` +
      `${r.evalSeconds.toFixed(1)} | ${formatBytes(j.model_bytes)} | ${formatBytes(j.upload_bytes)} | ` +
      `${dash(j.epsilon, 2)} | ${j.delta === null ? '–' : j.delta.toExponential(0)} | ${dash(j.rounds, 0)} |`
    )
  })
  return [head, rule, ...rows].join('\n')
}

/**
 * One line per model listing the hyperparameters it reports (e.g. those picked on validation).
 * @example console.log(paramNotes(results))
 */
export function paramNotes(results: readonly ModelResult[]): string {
  return results
    .filter((r) => Object.keys(r.params).length > 0)
    .map(
      (r) =>
        `- ${r.json.name}: ` +
        Object.entries(r.params)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', '),
    )
    .join('\n')
}
