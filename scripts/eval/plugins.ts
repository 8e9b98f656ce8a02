/** Modules the harness imports at start-up so that they can register more models (e.g. neural). */

/**
 * Paths (relative to the repository root) of modules that call `registerModel()` at their top
 * level. The neural models (`gru`, `fedrec-*`) get wired in by adding their module here, or ad hoc
 * with `--plugin path/to/module.ts` or `FEDREC_EVAL_PLUGINS=a.ts,b.ts`.
 * @example
 * export const PLUGIN_MODULES = ['scripts/eval-neural/register.ts']
 */
export const PLUGIN_MODULES: readonly string[] = ['scripts/eval/models/register.ts']
