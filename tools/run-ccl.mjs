#!/usr/bin/env node
// Runs the built `ccl` command (npm run demo). With `--backend webgpu` (or CCL_BACKEND=webgpu) on a Linux
// machine without a Vulkan loader, it runs under tools/system/with-mesa.sh, i.e. on Mesa's software Vulkan
// (fetched on first use by tools/system/setup.sh), so `npm run demo -- --backend webgpu` works without a GPU.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--backend');
const wantsWebgpu = (at >= 0 && args[at + 1] === 'webgpu') || args.includes('--backend=webgpu') || process.env.CCL_BACKEND === 'webgpu';

function hasVulkanLoader() {
  try {
    return /libvulkan\.so\.1\b/.test(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return true; // not a glibc Linux: leave it to Dawn
  }
}

const ccl = [path.join(root, 'packages', 'ccl', 'bin', 'ccl.cjs'), ...args];
const useMesa = wantsWebgpu && process.platform === 'linux' && !process.env.VK_ICD_FILENAMES && !hasVulkanLoader();
if (useMesa) process.stderr.write("run-ccl: no Vulkan loader on this machine: WebGPU runs on Mesa's software Vulkan (tools/system/with-mesa.sh)\n");
const r = useMesa
  ? spawnSync('bash', [path.join(root, 'tools', 'system', 'with-mesa.sh'), process.execPath, ...ccl], { stdio: 'inherit' })
  : spawnSync(process.execPath, ccl, { stdio: 'inherit' });
process.exit(r.status ?? 1);
