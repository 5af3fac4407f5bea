import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_ORDER, CANDIDATES, wasmThreadsWanted, type BackendCandidate, type BackendName, type Env } from './candidates';
import { BackendUnsuitable } from './backend-unsuitable';
import { registerKernels } from '../kernels/register-kernels';

/** One backend the picker tried and did not use. */
export interface SkippedBackend {
  name: BackendName;
  module: string;
  reason: string;
}

/** What `pickBackend` chose and why. */
export interface BackendReport {
  name: BackendName;
  /** tfjs-core's name for it (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfName: string;
  module: string;
  version: string;
  tfjsCoreVersion: string;
  threads: number;
  /** The device it computes on, where the backend says (WebGPU: the adapter, `[software]` for a CPU rasteriser). */
  device?: string;
  /** Where the thread count comes from and how to change it, where the backend says. */
  threadsNote?: string;
  /** Why this one: forced, or the first that loaded and ran a test op. */
  reason: string;
  /** Every backend tried before it (or not tried because one was forced), with the reason. */
  skipped: SkippedBackend[];
  /** Kernels ccl registered for this backend by this call (its candidate's kernel table). */
  addedKernels: string[];
}

export interface PickBackendOptions {
  /** Force one backend (`--backend`); falls back to `CCL_BACKEND` when absent. */
  force?: string;
  /** Environment to read `CCL_BACKEND` and `CCL_WASM_THREADS` from (default: process.env). */
  env?: Env;
  /** How a backend package is loaded (default: a dynamic import of its npm name). */
  loadModule?: (moduleName: string) => Promise<Record<string, unknown>>;
  /** The backends to try, in BACKEND_ORDER (default: CANDIDATES). */
  candidates?: Record<BackendName, BackendCandidate>;
}

const defaultLoad = async (name: string) => (await import(name)) as Record<string, unknown>;

function describe(err: unknown): string {
  if (err instanceof BackendUnsuitable) return err.message;
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)|MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND/.test(msg) && !/\.node['"]?/.test(msg)) {
    return 'not installed (optional: `npm install` it where its install can run)';
  }
  const first = msg.split('\n')[0].trim();
  return `failed to load: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`;
}

/** Runs one tiny op on the active backend and checks the answer: presence is never trusted. */
async function testOp(): Promise<void> {
  const t = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
  const out = await t.data();
  t.dispose();
  if (out[0] !== 4 || out[1] !== 6) throw new Error(`test op returned [${Array.from(out)}] instead of [4, 6]`);
}

async function tryCandidate(
  c: BackendCandidate,
  load: (m: string) => Promise<Record<string, unknown>>,
  env: Env,
  forced: boolean,
): Promise<{ version: string; threads: number; device?: string }> {
  const device = c.probeDevice ? await c.probeDevice(env, { forced }) : undefined;
  const mod = await load(c.module);
  const { version } = await c.prepare(mod, env);
  if (!tf.findBackendFactory(c.tfName)) {
    throw new Error(`'${c.module}' loaded but registered no '${c.tfName}' backend with this copy of @tensorflow/tfjs-core (version mismatch?)`);
  }
  const ok = await tf.setBackend(c.tfName);
  if (!ok) throw new Error(`tf.setBackend('${c.tfName}') failed to initialise`);
  await tf.ready();
  await testOp();
  return { version, threads: c.threads(mod), ...(device !== undefined ? { device } : {}) };
}

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

/**
 * Chooses the tensor backend: tfjs-node-gpu, then WebGPU (on a hardware adapter only), then tfjs-node, then
 * WASM, then pure JS, taking the first that loads AND computes a test op correctly, or the one forced by `force` / `CCL_BACKEND` (an error if
 * that one fails: a forced backend never falls back silently).
 */
export async function pickBackend(options: PickBackendOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const candidates = options.candidates ?? CANDIDATES;
  const load = options.loadModule ?? defaultLoad;
  const forcedBy = options.force ? '--backend' : env.CCL_BACKEND ? 'CCL_BACKEND' : null;
  const forced = options.force ?? env.CCL_BACKEND ?? null;
  if (forced !== null && !isBackendName(forced)) {
    throw new Error(`unknown backend '${forced}' (from ${forcedBy}); choose one of: ${BACKEND_ORDER.join(', ')}`);
  }
  // a mistyped thread count is the user's error to fix, not a reason to fall back to the 40x slower cpu
  wasmThreadsWanted(env);
  const skipped: SkippedBackend[] = [];
  for (const name of BACKEND_ORDER) {
    const c = candidates[name];
    if (forced !== null && name !== forced) {
      skipped.push({ name, module: c.module, reason: `not tried: ${forcedBy}=${forced}` });
      continue;
    }
    try {
      const { version, threads, device } = await tryCandidate(c, load, env, forced !== null);
      // e.g. the WASM backend registers no convolution backprop kernels: its table adds them (src/kernels)
      const kernels = c.kernels === undefined ? [] : registerKernels(c.kernels);
      return {
        name,
        tfName: c.tfName,
        module: c.module,
        version,
        tfjsCoreVersion: tf.version_core,
        threads,
        ...(device !== undefined ? { device } : {}),
        ...(c.threadsNote ? { threadsNote: c.threadsNote(env) } : {}),
        reason: forced !== null ? `forced by ${forcedBy}` : 'first in the preference order that loaded and ran a test op',
        skipped,
        addedKernels: kernels,
      };
    } catch (err) {
      if (forced !== null) throw new Error(`backend '${name}' (${c.module}) was forced by ${forcedBy} but ${describe(err)}`);
      skipped.push({ name, module: c.module, reason: describe(err) });
    }
  }
  throw new Error(`no tensor backend could be loaded:\n${skipped.map((s) => `  ${s.name}: ${s.reason}`).join('\n')}`);
}

/** `backend: wasm (@tensorflow/tfjs-backend-wasm 4.22.0, 2 threads; ...)`: what a command says about its backend, in one line. */
export function formatBackendLine(r: BackendReport): string {
  const threads = `${r.threads} thread${r.threads === 1 ? '' : 's'}`;
  return `backend: ${r.name} (${r.module} ${r.version}${r.device ? `, ${r.device}` : ''}, ${threads}; \`ccl backend\` says why)`;
}

/** Human-readable lines for `ccl backend`. */
export function formatBackendReport(r: BackendReport): string {
  const lines = [
    `backend: ${r.name} (${r.module} ${r.version}, tfjs-core ${r.tfjsCoreVersion})`,
    ...(r.device !== undefined ? [`device:  ${r.device}`] : []),
    `threads: ${r.threads}${r.threadsNote ? ` (${r.threadsNote})` : ''}`,
    `why:     ${r.reason}`,
  ];
  if (r.addedKernels.length) lines.push(`kernels: added ${r.addedKernels.join(', ')} (training support)`);
  for (const s of r.skipped) lines.push(`skipped ${s.name} (${s.module}): ${s.reason}`);
  return lines.join('\n');
}
