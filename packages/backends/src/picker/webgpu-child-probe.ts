/**
 * Looking for a WebGPU adapter through Dawn in a child process, so that what Dawn and the Vulkan loader print
 * straight to the process's stderr while they look (`Warning: Couldn't load Vulkan ...`, Mesa's
 * `XDG_RUNTIME_DIR is invalid`, `Vulkan shaderUniform...ArrayDynamicIndexing required`) never reaches a
 * command's output: the child's stderr is captured and kept as the probe's findings, which `ccl backend`
 * reports. Only a hardware adapter found there is then opened in this process.
 */
import { spawn } from 'node:child_process';
import { BackendUnsuitable } from './backend-unsuitable';
import { formatAdapter, type WebGpuAdapterInfo } from './webgpu-adapter';

/** What the child found: an adapter, or none; and what Dawn printed meanwhile. */
export interface ChildAdapterProbe {
  adapter: WebGpuAdapterInfo | null;
  /** Dawn's and the driver's own messages while probing (trimmed lines). */
  messages: string[];
}

// The child loads dawn.node by path, asks for the same adapter tfjs's WebGPU backend asks for, and prints
// one JSON line. It needs nothing from this package: the classification of the adapter happens here.
const CHILD = `
const dawn = require(process.argv[1]);
const gpu = dawn.create([]);
gpu.requestAdapter({ powerPreference: 'high-performance' }).then((a) => {
  const i = (a && a.info) || {};
  const info = a ? { vendor: i.vendor || '', architecture: i.architecture || '', device: i.device || '', description: i.description || '', fallback: a.isFallbackAdapter === true } : null;
  process.stdout.write(JSON.stringify({ adapter: info }) + '\\n');
  process.exit(0);
}, (e) => { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }) + '\\n'); process.exit(0); });
`;

/** Runs the probe of `dawnNodePath` (Dawn's native binding) in a child Node process, within `timeoutMs`. */
export function probeWebGpuInChild(
  dawnNodePath: string,
  classify: (info: Omit<WebGpuAdapterInfo, 'software'>, fallback: boolean) => WebGpuAdapterInfo,
  timeoutMs = 20000,
): Promise<ChildAdapterProbe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, dawnNodePath], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const messages = err
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0 && !l.startsWith('at '));
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) {
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutMs} ms` : ''}` : `exit code ${code}`;
        reject(
          new BackendUnsuitable(`the WebGPU probe (Dawn, in a child process) ended without an answer (${why})${messages.length ? `: ${messages[0]}` : ''}`),
        );
        return;
      }
      const r = JSON.parse(line) as { adapter?: (Omit<WebGpuAdapterInfo, 'software'> & { fallback: boolean }) | null; error?: string };
      if (r.error !== undefined) {
        reject(new BackendUnsuitable(`requesting a WebGPU adapter failed: ${r.error}`));
        return;
      }
      if (!r.adapter) {
        resolve({ adapter: null, messages });
        return;
      }
      const { fallback, ...info } = r.adapter;
      resolve({ adapter: classify(info, fallback), messages });
    });
  });
}

/** The reason a probe found nothing usable, with Dawn's first message (what `ccl backend` shows). */
export function childProbeVerdict(probe: ChildAdapterProbe): string | null {
  const said = probe.messages.length ? ` (Dawn: ${probe.messages[0]})` : '';
  if (probe.adapter === null)
    return `no WebGPU adapter (no GPU with a Vulkan/Metal/D3D12 driver; without a GPU, tools/system/with-mesa.sh runs a command on Mesa's software Vulkan)${said}`;
  if (probe.adapter.software)
    return `software adapter ${formatAdapter(probe.adapter)}: computes on the CPU, slower than wasm (use it with --backend webgpu / CCL_BACKEND=webgpu)`;
  return null;
}
