import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The run-folder policy of `Trainer.fit()`: a folder holding a run is never trained into silently. A new
 * run needs a folder without one (or `force`, which replaces it); `resume` needs `checkpoints/latest.ckpt`
 * and the config the run was started with (or `allowConfigChange`). Stray temporary files of a killed
 * write (`*.tmp`, @ccl/base's writeFileAtomicSync) are removed when a run starts or resumes.
 */

/** What a caller asks to do with a run folder. */
export interface RunFolderIntent {
  /** Continue the run in the folder from `checkpoints/latest.ckpt`. */
  resume?: boolean;
  /** Replace the run in the folder: its checkpoints, logs, evaluation and run.json are removed first. */
  force?: boolean;
  /** With `resume`: accept a config that differs from the run's (the changed keys are recorded). */
  allowConfigChange?: boolean;
}

/** What a run folder holds. */
export interface RunFolderState {
  /** The run's entries present in the folder (a subset of RUN_ENTRIES); empty: no run there. */
  entries: string[];
  /** Whether `checkpoints/latest.ckpt` exists. */
  hasLatest: boolean;
  /** Whether run.json records a finished run. */
  finished: boolean;
  /** Dotted paths of the config keys that differ from run.json's config; null when there is no readable run.json. */
  configChanges: string[] | null;
}

/** What `fit()` will do, once the intent is checked against the folder. */
export interface RunFolderPlan {
  mode: 'new' | 'resume' | 'replace';
  /** With `resume` and `allowConfigChange`: the config keys that changed (dotted paths). */
  configChanges: string[];
}

/** A run's entries in its folder, in the order `force` removes them (checkpoints first, run.json last). */
export const RUN_ENTRIES = ['checkpoints', 'steps.jsonl', 'epochs.jsonl', 'eval', 'run.json'] as const;

const LATEST = path.join('checkpoints', 'latest.ckpt');
const isTemp = (name: string) => name.endsWith('.tmp');

/** Dotted paths (`optimizer.lr`, `teachers.0.dim`) where two JSON values differ; [] when equal. */
export function changedKeys(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => changedKeys(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix || '(the whole config)'];
}

/** JSON's view of a value (undefined fields dropped), as run.json stores it. */
const asJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

function readRunJson(dir: string): Record<string, unknown> | null {
  try {
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as unknown;
    return typeof run === 'object' && run !== null ? (run as Record<string, unknown>) : null;
  } catch {
    return null; // absent or unreadable
  }
}

/** Reads what `dir` holds, comparing run.json's config with `config`; changes nothing. */
export function inspectRunFolder(dir: string, config: unknown): RunFolderState {
  const entries = RUN_ENTRIES.filter((e) => fs.existsSync(path.join(dir, e)));
  const run = readRunJson(dir);
  return {
    entries,
    hasLatest: fs.existsSync(path.join(dir, LATEST)),
    finished: Boolean(run?.finishedAt),
    configChanges: run && 'config' in run ? changedKeys(run.config, asJson(config)) : null,
  };
}

/**
 * Checks `intent` against what `dir` holds and says what `fit()` will do; throws a one-line error naming
 * the folder and the problem, having changed nothing. Callers may run it early (before loading data) to
 * refuse fast; `prepareRunFolder` runs it again under the folder's lock.
 */
export function checkRunFolder(dir: string, config: unknown, intent: RunFolderIntent): RunFolderPlan {
  if (intent.resume && intent.force) throw new Error(`${dir}: resume (--resume) and force (--force) exclude each other; choose one`);
  if (intent.allowConfigChange && !intent.resume) throw new Error(`${dir}: allowConfigChange (--allow-config-change) only applies when resuming (--resume)`);
  const state = inspectRunFolder(dir, config);
  if (intent.force) return { mode: state.entries.length ? 'replace' : 'new', configChanges: [] };
  if (!intent.resume) {
    if (!state.entries.length) return { mode: 'new', configChanges: [] };
    throw new Error(
      `${dir}: already holds a ${state.finished ? 'finished ' : ''}run (${state.entries.join(', ')}); resume it (--resume) or replace it (--force), or choose another folder`,
    );
  }
  if (!state.hasLatest) {
    throw new Error(
      `${dir}: nothing to resume, no ${LATEST}${state.entries.length ? ` (the run stopped before its first checkpoint; --force starts it over)` : ''}`,
    );
  }
  if (state.configChanges === null && !intent.allowConfigChange) {
    throw new Error(`${dir}: cannot check the config to resume with: run.json is missing or unreadable (--allow-config-change resumes anyway)`);
  }
  const changes = state.configChanges ?? [];
  if (changes.length && !intent.allowConfigChange) {
    throw new Error(`${dir}: the config differs from the run's in ${changes.join(', ')}; resume with the run's config, or pass --allow-config-change`);
  }
  return { mode: 'resume', configChanges: changes };
}

/** Removes `*.tmp` entries (a killed write's temporary files, a killed `force`'s old run) in `dir` and `dir/checkpoints`. */
export function removeStrayTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const sub of [dir, path.join(dir, 'checkpoints')]) {
    if (!fs.existsSync(sub)) continue;
    for (const name of fs.readdirSync(sub).filter(isTemp)) {
      fs.rmSync(path.join(sub, name), { recursive: true, force: true });
      removed.push(path.relative(dir, path.join(sub, name)));
    }
  }
  return removed;
}

/**
 * Moves the run's entries into one temporary folder (checkpoints first, run.json last, each an atomic
 * rename) and deletes it: a kill midway leaves no `latest.ckpt` to resume into, and the next start removes
 * the temporary folder as a stray `*.tmp`.
 */
function clearRun(dir: string, entries: readonly string[]): void {
  const trash = path.join(dir, `.replaced-run.${process.pid}.tmp`);
  fs.mkdirSync(trash, { recursive: true });
  for (const e of entries) fs.renameSync(path.join(dir, e), path.join(trash, e));
  fs.rmSync(trash, { recursive: true, force: true });
}

/**
 * Applies the policy to `dir`; call it holding the folder's lock. Removes stray temporary files, checks
 * `intent` (as `checkRunFolder`) and, for `force` over an existing run, removes that run.
 */
export function prepareRunFolder(dir: string, config: unknown, intent: RunFolderIntent, notice: (message: string) => void): RunFolderPlan {
  const stray = removeStrayTempFiles(dir);
  if (stray.length) notice(`${dir}: removed ${stray.length} stray temporary file(s) of an interrupted write: ${stray.join(', ')}`);
  const plan = checkRunFolder(dir, config, intent);
  if (plan.mode === 'replace') {
    const entries = inspectRunFolder(dir, config).entries;
    clearRun(dir, entries);
    notice(`${dir}: --force: removed the previous run (${entries.join(', ')})`);
  }
  if (plan.configChanges.length) notice(`${dir}: resuming with a changed config: ${plan.configChanges.join(', ')}`);
  return plan;
}
