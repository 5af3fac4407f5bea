import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childProbeVerdict, probeWebGpuInChild } from '../src/picker/webgpu-child-probe';
import { isSoftwareAdapter } from '../src/picker/webgpu-adapter';

/** A stand-in for Dawn's binding: prints to the process's stderr as Dawn does, and offers the given adapter. */
function fakeDawn(dir: string, name: string, adapter: string, stderr: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(
    file,
    `process.stderr.write(${JSON.stringify(stderr)});
module.exports = { globals: {}, create: () => ({ requestAdapter: async () => (${adapter}) }) };`,
  );
  return file;
}

const classify = (info: { vendor: string; architecture: string; device: string; description: string }, fallback: boolean) => ({
  ...info,
  software: isSoftwareAdapter(info, fallback),
});

describe('the WebGPU probe in a child process (what Dawn prints stays out of the command output)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-child-probe-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("no adapter: the verdict carries Dawn's first message, and nothing reaches this process's stderr", async () => {
    const write = jest.spyOn(process.stderr, 'write');
    const dawn = fakeDawn(dir, 'none', 'null', "Warning: Couldn't load Vulkan: libvulkan.so.1\n    at operator() (BackendVk.cpp:368)\n");
    const probe = await probeWebGpuInChild(dawn, classify);
    expect(probe).toEqual({ adapter: null, messages: ["Warning: Couldn't load Vulkan: libvulkan.so.1"] });
    expect(childProbeVerdict(probe)).toMatch(/^no WebGPU adapter .*\(Dawn: Warning: Couldn't load Vulkan: libvulkan\.so\.1\)$/);
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
  });

  it('a software adapter is reported as such; a hardware one passes', async () => {
    const soft = fakeDawn(
      dir,
      'soft',
      "{ info: { vendor: 'mesa', architecture: '', device: 'llvmpipe', description: 'llvmpipe (LLVM 15)' } }",
      'error: XDG_RUNTIME_DIR is invalid\n',
    );
    expect(childProbeVerdict(await probeWebGpuInChild(soft, classify))).toMatch(/^software adapter llvmpipe \(LLVM 15\) \[software\]: computes on the CPU/);
    const hard = fakeDawn(dir, 'hard', "{ info: { vendor: 'nvidia', architecture: 'hopper', device: 'H100', description: 'NVIDIA H100' } }", '');
    const probe = await probeWebGpuInChild(hard, classify);
    expect(probe.adapter).toMatchObject({ description: 'NVIDIA H100', software: false });
    expect(childProbeVerdict(probe)).toBeNull();
  });

  it('a child that dies or hangs is a reason to skip WebGPU, not a crash', async () => {
    const crash = path.join(dir, 'crash.js');
    fs.writeFileSync(crash, "process.stderr.write('Segmentation fault\\n'); process.exit(139);");
    await expect(probeWebGpuInChild(crash, classify)).rejects.toThrow(/ended without an answer \(exit code 139\): Segmentation fault/);
    const hang = fakeDawn(dir, 'hang', 'new Promise(() => setInterval(() => {}, 1000))', ''); // a driver that never answers
    await expect(probeWebGpuInChild(hang, classify, 1500)).rejects.toThrow(/killed by SIGKILL after 1500 ms/);
  });
});
