import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTempName } from '@ccl/base/node';
import { acquireFolderLock, isLockEntry } from '@ccl/data/node';

/**
 * The run-folder policy of `Trainer.fit()`: ccl removes only what it provably wrote. A folder is a run only
 * when it holds ccl's run.json (written before anything else of a run); a new run needs an empty folder
 * (its lock aside) or a run there replaced with `force`; a non-empty folder that holds no run is refused,
 * naming what is there, with or without `force`. `force` removes only the run's own files (RUN_FILES: the
 * logs, run.json, the checkpoints ccl names, the evaluation files ccl eval names) and keeps anything else.
 * `resume` needs `checkpoints/latest.ckpt` and the config the run was started with (or
 * `allowConfigChange`). Temporary files of a killed write of those files (@ccl/base's
 * writeFileAtomicSync names) and of a killed `force` are removed when a run starts or resumes.
 */

/** Where a run diverged: 0-based epoch and step in it, and the 1-based global step where known. */
export interface DivergedAt {
  epoch: number;
  step: number;
  globalStep?: number;
}

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
  /** Whether the folder holds ccl's run.json: only then is it a run. */
  isRun: boolean;
  /** The run's entries present in the folder (a subset of RUN_ENTRIES). */
  entries: string[];
  /** Everything in the folder but its lock and ccl's temporary files (sub-folders with a trailing `/`); empty: an empty folder. */
  contents: string[];
  /** Whether `checkpoints/latest.ckpt` exists. */
  hasLatest: boolean;
  /** Whether run.json records a finished run. */
  finished: boolean;
  /**
   * Where run.json records that the run diverged (a non-finite loss or gradient stopped it under nanGuard
   * 'error': 0-based epoch and step, and the global step), else null. Resuming would diverge there again.
   */
  diverged: DivergedAt | null;
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

/**
 * The files ccl writes in a run folder, by sub-folder ('' is the folder itself): the trainer's logs,
 * run.json and checkpoints, and what `ccl eval` (@ccl/eval's writeRunEvaluation) writes into `eval/`.
 * Nothing else in a run folder is ever removed.
 */
const RUN_FILES: Readonly<Record<'' | 'checkpoints' | 'eval', (name: string) => boolean>> = {
  '': (n) => n === 'steps.jsonl' || n === 'epochs.jsonl' || n === 'run.json',
  checkpoints: (n) => /^(latest|best|epoch-\d+)\.ckpt$/.test(n),
  eval: (n) => /^(recognition|retrieval|val)\.json$/.test(n) || /^probe-[A-Za-z0-9_.-]+\.json$/.test(n),
};

const LATEST = path.join('checkpoints', 'latest.ckpt');
/** The folder a `force` moves the old run into before deleting it (a killed `force` leaves it behind). */
const isReplacedRun = (name: string) => /^\.replaced-run\.\d+\.tmp$/.test(name);
/** A temporary file of a killed write of one of the run's files in `sub`. */
const isRunTemp = (sub: keyof typeof RUN_FILES, name: string) => {
  const t = parseTempName(name);
  return t !== null && RUN_FILES[sub](t.target);
};
/** ccl's own entries that are not the run: the lock, and temporary files to be removed. */
const isHousekeeping = (name: string) => isLockEntry(name) || isReplacedRun(name) || isRunTemp('', name);

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

/** Whether `run` (a parsed run.json) is one the trainer wrote: its first write records the config, the architecture and the start time. */
function isCclRunJson(run: Record<string, unknown> | null): boolean {
  return run !== null && typeof run.config === 'object' && run.config !== null && typeof run.architecture === 'string' && typeof run.startedAt === 'string';
}

/** The entries of `dir` (sub-folders marked with a trailing `/`), sorted; [] when it does not exist. */
function listFolder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
}

/** Up to 8 names, then how many more. */
function nameSome(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

/** Reads what `dir` holds, comparing run.json's config with `config`; changes nothing. */
export function inspectRunFolder(dir: string, config: unknown): RunFolderState {
  const entries = RUN_ENTRIES.filter((e) => fs.existsSync(path.join(dir, e)));
  const run = readRunJson(dir);
  return {
    isRun: isCclRunJson(run),
    entries,
    contents: listFolder(dir).filter((e) => !isHousekeeping(e.replace(/\/$/, ''))),
    hasLatest: fs.existsSync(path.join(dir, LATEST)),
    finished: Boolean(run?.finishedAt),
    diverged: (run?.diverged as DivergedAt | undefined) ?? null,
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
  if (!intent.resume && !state.isRun && state.contents.length) {
    throw new Error(
      `${dir}: is not empty and holds no ccl run (no run.json of ccl train): ${nameSome(state.contents)}; ccl train writes only into an empty folder or one holding its own run${intent.force ? ' (--force replaces only a run)' : ''}; choose another folder`,
    );
  }
  if (intent.force) return { mode: state.isRun ? 'replace' : 'new', configChanges: [] };
  if (!intent.resume) {
    if (!state.isRun) return { mode: 'new', configChanges: [] };
    throw new Error(
      `${dir}: already holds a ${state.finished ? 'finished ' : ''}run (${state.entries.join(', ')}); resume it (--resume) or replace it (--force), or choose another folder`,
    );
  }
  if (!state.hasLatest) {
    throw new Error(`${dir}: nothing to resume, no ${LATEST}${state.isRun ? ` (the run stopped before its first checkpoint; --force starts it over)` : ''}`);
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

/**
 * Removes what killed writes of the run left in `dir`: temporary files of the run's own files (in `dir`,
 * `checkpoints/` and `eval/`; writeFileAtomicSync's `.<name>.<pid>.<n>.tmp`) and the folder of a killed
 * `force` (`.replaced-run.<pid>.tmp`). Nothing else, whatever its name. Call it holding the folder's lock
 * (no other ccl process writes there then). Returns what it removed, relative to `dir`.
 */
export function removeStrayTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const sub of ['', 'checkpoints', 'eval'] as const) {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) continue;
    for (const e of fs.readdirSync(folder, { withFileTypes: true })) {
      const stray = e.isDirectory() ? sub === '' && isReplacedRun(e.name) : e.isFile() && isRunTemp(sub, e.name);
      if (!stray) continue;
      fs.rmSync(path.join(folder, e.name), { recursive: true, force: true });
      removed.push(path.join(sub, e.name));
    }
  }
  return removed;
}

/** The run's own files in `dir` (RUN_FILES), relative to it, in the order `force` removes them: latest.ckpt first, run.json last. */
function runFiles(dir: string): string[] {
  const inSub = (sub: 'checkpoints' | 'eval') => {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return [];
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile() && RUN_FILES[sub](e.name))
      .map((e) => e.name)
      .sort((a, b) => (a === 'latest.ckpt' ? -1 : b === 'latest.ckpt' ? 1 : a < b ? -1 : a > b ? 1 : 0))
      .map((n) => path.join(sub, n));
  };
  const top = (['steps.jsonl', 'epochs.jsonl', 'run.json'] as const).filter((n) => fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.isFile());
  return [...inSub('checkpoints'), ...inSub('eval'), ...top];
}

/**
 * Moves the run's own files into one temporary folder (latest.ckpt first, run.json last, each an atomic
 * rename) and deletes it: a kill midway leaves no `latest.ckpt` to resume into, and the next start removes
 * the temporary folder. `checkpoints/` and `eval/` go when nothing else is left in them. Returns what was
 * removed and what was kept (not ccl's), relative to `dir`.
 */
function clearRun(dir: string): { removed: string[]; kept: string[] } {
  const removed = runFiles(dir);
  const trash = path.join(dir, `.replaced-run.${process.pid}.tmp`);
  for (const sub of ['checkpoints', 'eval']) fs.mkdirSync(path.join(trash, sub), { recursive: true });
  for (const f of removed) {
    try {
      fs.renameSync(path.join(dir, f), path.join(trash, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      fs.rmSync(path.join(dir, f)); // checkpoints/ linked to another disk: deleted in the same order instead
    }
  }
  fs.rmSync(trash, { recursive: true, force: true });
  const kept: string[] = [];
  for (const sub of ['checkpoints', 'eval']) {
    const left = listFolder(path.join(dir, sub));
    if (left.length) kept.push(...left.map((e) => path.join(sub, e)));
    else if (fs.lstatSync(path.join(dir, sub), { throwIfNoEntry: false })?.isDirectory()) fs.rmdirSync(path.join(dir, sub)); // a link to a folder stays
  }
  kept.push(...listFolder(dir).filter((e) => !isHousekeeping(e.replace(/\/$/, '')) && !RUN_ENTRIES.some((r) => e === r || e === `${r}/`)));
  return { removed, kept: kept.sort() };
}

/**
 * Applies the policy to `dir`; call it holding the folder's lock. Removes stray temporary files, checks
 * `intent` (as `checkRunFolder`) and, for `force` over an existing run, removes that run's own files.
 */
export function prepareRunFolder(dir: string, config: unknown, intent: RunFolderIntent, notice: (message: string) => void): RunFolderPlan {
  const stray = removeStrayTempFiles(dir);
  if (stray.length) notice(`${dir}: removed ${stray.length} stray temporary file(s) of an interrupted write: ${stray.join(', ')}`);
  const plan = checkRunFolder(dir, config, intent);
  if (plan.mode === 'replace') {
    const { removed, kept } = clearRun(dir);
    notice(`${dir}: --force: removed the previous run (${nameSome(removed)})${kept.length ? `; kept what ccl did not write: ${nameSome(kept)}` : ''}`);
  }
  if (plan.configChanges.length) notice(`${dir}: resuming with a changed config: ${plan.configChanges.join(', ')}`);
  return plan;
}

/**
 * Runs `body` holding `dir`'s lock (a second process on the folder is refused), the policy applied first
 * (prepareRunFolder); the lock is released however `body` ends. `Trainer.fit` trains inside it.
 */
export async function inRunFolder<T>(
  dir: string,
  config: unknown,
  intent: RunFolderIntent,
  notice: (message: string) => void,
  body: (plan: RunFolderPlan) => Promise<T>,
): Promise<T> {
  const release = acquireFolderLock(dir, { what: 'ccl train', onNotice: notice });
  try {
    return await body(prepareRunFolder(dir, config, intent, notice));
  } finally {
    release();
  }
}
