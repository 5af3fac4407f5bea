import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { formatAdapter, probeWebGpuAdapter } from '@ccl/backends';

/**
 * The tfjs backends the page tries, in order: WebGPU on a hardware adapter (a software one, SwiftShader, is
 * skipped unless WebGPU is forced, as the Node picker does), WebGL (GPU, or SwiftShader's software GL), then the
 * pure-JS cpu.
 */
export const PAGE_BACKENDS = ['webgpu', 'webgl', 'cpu'] as const;

export interface PageBackend {
  name: string;
  /** Why the ones before it were not used. */
  skipped: { name: string; reason: string }[];
  /** WebGPU: the adapter. WebGL: the renderer and whether textures are float32 (else float16, which cannot match Node to 1e-4). */
  detail: string;
}

/** The adapter WebGPU would run on; refused when there is none, or when it is a software one and WebGPU is not forced. */
async function webGpuAdapter(forced: boolean): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: Parameters<typeof probeWebGpuAdapter>[0] }).gpu;
  if (gpu === undefined) throw new Error('this browser has no WebGPU (navigator.gpu; it needs a secure context: https or localhost)');
  const adapter = await probeWebGpuAdapter(gpu);
  if (adapter.software && !forced) throw new Error(`software adapter (${formatAdapter(adapter)}); ?backend=webgpu forces it`);
  return `WebGPU on ${formatAdapter(adapter)}`;
}

/**
 * Picks the first backend of `order` that initialises and runs a test op; says which and why. A one-backend
 * `order` (the page's `?backend=` parameter) forces that backend, WebGPU on a software adapter included.
 */
export async function pickPageBackend(order: readonly string[] = PAGE_BACKENDS): Promise<PageBackend> {
  const skipped: { name: string; reason: string }[] = [];
  for (const name of order) {
    try {
      const adapter = name === 'webgpu' ? await webGpuAdapter(order.length === 1) : '';
      if (!(await tf.setBackend(name))) throw new Error('did not initialise');
      const probe = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])));
      const v = await probe.data();
      probe.dispose();
      if (v[3] !== 4) throw new Error(`test op gave ${Array.from(v)}`);
      return { name, skipped, detail: adapter || describe(name) };
    } catch (e) {
      skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no tfjs backend runs here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

function describe(name: string): string {
  if (name !== 'webgl') return name === 'cpu' ? 'pure JavaScript' : '';
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'unknown renderer';
  return `WebGL ${tf.env().getNumber('WEBGL_VERSION')} on ${renderer}, ${tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16'} textures`;
}
