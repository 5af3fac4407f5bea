/**
 * Finding a WebGPU adapter for the tfjs WebGPU backend, in a browser (navigator.gpu) or in Node through
 * Dawn's binding (the npm package `webgpu`, whose `dawn.node` ships inside the package), and telling a
 * hardware adapter from a software one (Mesa's llvmpipe/lavapipe, SwiftShader, WARP), which computes on the
 * CPU and is skipped unless WebGPU is forced.
 */

import { BackendUnsuitable } from './backend-unsuitable';

/** What the picker reports about the adapter it found. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser (llvmpipe, SwiftShader, ...), not a GPU. */
  software: boolean;
}

/** The subset of the WebGPU API the picker touches (lib.dom's types are not in a Node build). */
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>>;
  isFallbackAdapter?: boolean;
}

/** Matched against an adapter's vendor, architecture, device and description. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(info: Omit<WebGpuAdapterInfo, 'software'>, isFallbackAdapter = false): boolean {
  return isFallbackAdapter || SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

/** One line for reports: `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) [software]`. */
export function formatAdapter(a: WebGpuAdapterInfo): string {
  const name = a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${a.software ? ' [software]' : ''}`;
}

function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as unknown as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu;
}

/** Dawn's Node binding: `create(flags)` gives a GPU object, `globals` the WebGPU classes and constants. */
export interface DawnBinding {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/**
 * Makes `navigator.gpu` (and the WebGPU globals: GPUBufferUsage, ...) available, from Dawn's Node binding
 * when the runtime has none (a browser has its own).
 */
export function ensureNavigatorGpu(loadDawn: () => DawnBinding): GpuLike {
  const existing = navigatorGpu();
  if (existing !== undefined) return existing;
  const dawn = loadDawn();
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  // Node 21+ has a global navigator (a getter on globalThis); Node 20 has none.
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  return gpu;
}

/** The adapter the tfjs WebGPU backend will get (it asks for the same high-performance adapter), described. */
export async function probeWebGpuAdapter(gpu: GpuLike): Promise<WebGpuAdapterInfo> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    throw new BackendUnsuitable(
      "no WebGPU adapter (no GPU with a Vulkan/Metal/D3D12 driver; without a GPU, tools/system/with-mesa.sh runs a command on Mesa's software Vulkan)",
    );
  }
  const info = adapter.info ?? {};
  const base = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
  return { ...base, software: isSoftwareAdapter(base, adapter.isFallbackAdapter === true) };
}
