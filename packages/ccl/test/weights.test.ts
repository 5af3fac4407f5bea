import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeManifest } from '@ccl/data';
import { clipPath, readNpy, writeClipFile, writeManifest } from '@ccl/data/node';
import { parseSafetensorsHeader } from '@ccl/encoders';
import { readWeightsMetadata } from '@ccl/encoders/node';
import { ccl } from './helpers/run-cli';

// torch.save files written once by PyTorch (packages/encoders/test/fixtures/torch/README.md)
const TORCH = path.join(__dirname, '..', '..', 'encoders', 'test', 'fixtures', 'torch');
const HOSTILE_MARKER = '/tmp/ccl-hostile-checkpoint-ran';

/** name -> [dtype, shape, bytes] of a safetensors file. */
function tensorsOf(file: string): Map<string, [string, number[], Buffer]> {
  const bytes = fs.readFileSync(file);
  const { entries, dataStart } = parseSafetensorsHeader(bytes, file);
  return new Map(
    Object.entries(entries).map(([n, e]) => [n, [e.dtype, e.shape, bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1])]]),
  );
}

describe('ccl weights import', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-weights-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("converts CCL's training checkpoint: says what it found and writes the state dict as torch saved it", async () => {
    const out = path.join(dir, 'student.safetensors');
    const r = await ccl('weights', 'import', path.join(TORCH, 'training-zip.pth'), '--out', out);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/training-zip\.pth: torch\.save zip archive; state dict: key 'state_dict'/);
    expect(r.out).toMatch(/9 tensors, 80 elements \(F32 8, I64 1\): conv\.weight F32 \[3, 2, 3, 3\], conv\.bias F32 \[3\]/);
    expect(r.out).toMatch(/the DataParallel prefix 'module\.' stripped/);
    expect(r.out).toMatch(
      /also in the file: epoch: 7; arch: "r2plus1d_18"; best_acc1: 0\.5; optimizer: dict of 2 \(state, param_groups\), 4 tensors; scheduler: dict/,
    );
    expect(r.out).toMatch(new RegExp(`wrote ${out.replace(/[.]/g, '\\.')} \\(`));
    const written = tensorsOf(out);
    const expected = tensorsOf(path.join(TORCH, 'training-zip.expected.safetensors'));
    expect([...written.keys()]).toEqual([...expected.keys()]);
    for (const [name, [dtype, shape, bytes]] of expected) {
      const [d, s, b] = written.get(name)!;
      expect([name, d, s, b.equals(bytes)]).toEqual([name, dtype, shape, true]);
    }
  });

  it('--json lists every tensor; --key picks the dict; a float16 legacy file stays F16', async () => {
    const out = path.join(dir, 'half.safetensors');
    const r = await ccl('weights', 'import', path.join(TORCH, 'panns-legacy.pth'), '--out', out, '--key', 'model', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ format: 'legacy', key: 'model', tensors: 9, others: { iteration: '660000' }, encoder: null });
    expect(report.names[0]).toEqual({ name: 'conv.weight', dtype: 'F32', shape: [3, 2, 3, 3] });
    await ccl('weights', 'import', path.join(TORCH, 'half-legacy.pth'), '--out', out);
    expect([...tensorsOf(out).values()].map(([dtype]) => dtype)).toEqual(['F16', 'F16', 'F16', 'F16', 'F16', 'F16', 'I64', 'F16', 'F16']);
  });

  it('refuses a hostile checkpoint by the name of the global it would call, runs nothing, writes nothing', async () => {
    fs.rmSync(HOSTILE_MARKER, { force: true });
    const out = path.join(dir, 'hostile.safetensors');
    const r = await ccl('weights', 'import', path.join(TORCH, 'hostile-system-zip.pth'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^ccl: torch checkpoint .*hostile-system-zip\.pth: refused to load global 'posix\.system'/),
    ]);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(HOSTILE_MARKER)).toBe(false);
  });

  it('--encoder checks the weights load strictly and records the encoder; a mismatch writes nothing', async () => {
    const out = path.join(dir, 'resnet.safetensors');
    const file = path.join(TORCH, 'resnet18-w32-zip.pth');
    const wrong = await ccl('weights', 'import', file, '--out', out, '--encoder', 'resnet18', '--options', '{"widthMultiplier":0.0625}');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/loadStateDict\(resnet18 from .*resnet18-w32-zip\.pth, strict\) failed, nothing was loaded:\n {2}shape mismatch/);
    expect(fs.existsSync(out)).toBe(false);
    const r = await ccl('weights', 'import', file, '--out', out, '--encoder', 'resnet18', '--options', '{"widthMultiplier":0.03125}');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/loads strictly into resnet18 \{"widthMultiplier":0\.03125\}; recorded in the file's metadata/);
    expect(readWeightsMetadata(out)).toEqual({ format: 'pt', 'ccl.encoder': 'resnet18', 'ccl.options': '{"widthMultiplier":0.03125}' });
  });
});

describe('ccl features extract --weights: a .pth directly, and a file that names its encoder', () => {
  /** A prepared dataset without ffmpeg: a manifest and one cached clip. */
  function preparedData(): string {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-extract-pth-'));
    writeManifest(path.join(data, 'manifest.json'), makeManifest({ dataset: 'folder', samples: [{ id: 'v_a_1', label: 'a', split: 'train' }] }));
    const [t, h, w, c] = [3, 24, 24, 3];
    const frames = Uint8Array.from({ length: t * h * w * c }, (_, i) => (i * 53) % 256); // [T, H, W, C]
    writeClipFile(clipPath(path.join(data, 'cache'), 'v_a_1'), { id: 'v_a_1', t, h, w, c, fps: 3 }, frames);
    return data;
  }

  it('the same features from the .pth, from its import, and from an import that records the encoder (no --teacher)', async () => {
    const data = preparedData();
    const pth = path.join(TORCH, 'resnet18-w32-zip.pth');
    const options = JSON.stringify({ widthMultiplier: 1 / 32 });
    const extract = async (out: string, ...args: string[]) => {
      const r = await ccl('features', 'extract', ...args, '--data', data, '--out', path.join(data, out), '--frames', '2', '--size', '20', '--backend', 'cpu');
      expect({ code: r.code, err: r.code ? r.err : '' }).toEqual({ code: 0, err: '' });
      expect(r.err).toMatch(/resnet18 input: RGB in \[0, 1\] normalised with ImageNet mean\/std/);
      return Array.from(readNpy(path.join(data, out, 'a', 'v_a_1.npy')).data);
    };
    const fromPth = await extract('pth', '--teacher', 'resnet18', '--options', options, '--weights', pth);
    const imported = path.join(data, 'resnet18.safetensors');
    expect((await ccl('weights', 'import', pth, '--out', imported)).code).toBe(0);
    const fromImport = await extract('imported', '--teacher', 'resnet18', '--options', options, '--weights', imported);
    const described = path.join(data, 'resnet18-described.safetensors');
    expect((await ccl('weights', 'import', pth, '--out', described, '--encoder', 'resnet18', '--options', options)).code).toBe(0);
    const fromDescribed = await extract('described', '--weights', described);
    expect(fromPth).toHaveLength(2 * 16);
    expect(fromImport).toEqual(fromPth);
    expect(fromDescribed).toEqual(fromPth);
    const refused = await ccl('features', 'extract', '--weights', imported, '--data', data, '--out', path.join(data, 'x'), '--backend', 'cpu');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--teacher: no encoder named, and .*resnet18\.safetensors does not say which encoder its weights are for/);
  });
});
