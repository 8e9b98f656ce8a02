/**
 * Runs valibot schemas as an ordered list of rules, each with the reject reason and HTTP status
 * it stands for, so a payload is refused with the first rule it breaks and a message naming the
 * field (e.g. `shapes.0.1: expected 33 but received 32`).
 */
import * as v from 'valibot'
import { PayloadRejectedError, type RejectReason } from '../errors.js'

/** One check: a schema, and what to answer when a value fails it. */
export interface SchemaRule {
  readonly reason: RejectReason
  readonly status: PayloadRejectedError['status']
  readonly schema: v.GenericSchema
}

/** Renders valibot's first issue as `path: message`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0]
  if (!first) return 'invalid value'
  const path = v.getDotPath(first)
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : ''
  return `${path ? `${path}: ` : ''}${first.message}${more}`
}

/**
 * Checks `value` against each rule in order.
 * @throws PayloadRejectedError with the reason and status of the first rule that fails
 * @example checkRules(update, [{ reason: 'round_closed', status: 409, schema: v.object({ roundId: v.literal(7) }) }])
 */
export function checkRules(value: unknown, rules: readonly SchemaRule[]): void {
  for (const rule of rules) {
    const result = v.safeParse(rule.schema, value, { abortPipeEarly: true })
    if (!result.success) throw new PayloadRejectedError(rule.reason, describeIssues(result.issues), rule.status)
  }
}
