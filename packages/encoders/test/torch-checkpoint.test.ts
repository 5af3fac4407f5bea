import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { unzipSync, zipSync } from 'fflate';
import { createEncoder, parseSafetensorsHeader, parseTorchCheckpoint, RESNET_STAGE_BLOCKS, type RawTensor } from '../src';
import { importTorchCheckpoint, readSafetensors, readTorchCheckpoint, readWeights } from '../src/node';
import { disposeDict, maxAbsDiff } from './helpers';
import { cnn14Ref } from './reference/cnn14-reference';
import { resnetFeaturesRef } from './reference/resnet-reference';
import type { NdDict } from './reference/r2plus1d-reference';
import { nd } from './reference/torch-reference';

// Checkpoints written by torch.save (PyTorch 1.13) and the same tensors as hand-made safetensors:
// test/fixtures/torch/make.py, README.md there.
const FIXTURES = path.join(__dirname, 'fixtures', 'torch');
const fixture = (name: string) => path.join(FIXTURES, name);
const HOSTILE_MARKER = '/tmp/ccl-hostile-checkpoint-ran'; // what the hostile fixtures' commands would create

/** The expected tensors as raw bytes (name -> dtype, shape, bytes), in file order. */
function expectedTensors(file: string): Record<string, RawTensor> {
  const bytes = fs.readFileSync(file);
  const { entries, dataStart } = parseSafetensorsHeader(bytes, file);
  return Object.fromEntries(
    Object.entries(entries).map(([name, e]) => [
      name,
      { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1]) },
    ]),
  );
}

function expectSameTensors(got: Record<string, RawTensor>, expected: Record<string, RawTensor>): void {
  expect(Object.keys(got)).toEqual(Object.keys(expected));
  for (const [name, e] of Object.entries(expected)) {
    const g = got[name]!;
    expect({ name, dtype: g.dtype, shape: g.shape }).toEqual({ name, dtype: e.dtype, shape: e.shape });
    expect(Buffer.from(g.data).equals(Buffer.from(e.data))).toBe(true); // bit for bit
  }
}

function nchwToNhwc(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, [0, 2, 3, 1]);
}

function ndDict(file: string): NdDict {
  const dict = readSafetensors(file);
  const out: NdDict = {};
  for (const [name, t] of Object.entries(dict)) out[name] = nd([...t.shape], t.dataSync());
  disposeDict(dict);
  return out;
}

describe('PyTorch checkpoints, read without Python', () => {
  describe.each(['zip', 'legacy'])('torch.save %s format', (format) => {
    it.each(['bare', 'bare-p4', 'half', 'dtypes', 'views', 'training', 'panns'])(
      '%s: every tensor equals the one torch saved, dtype, shape and bytes',
      (layout) => {
        const got = readTorchCheckpoint(fixture(`${layout}-${format}.pth`));
        expect(got.format).toBe(format);
        expectSameTensors(got.tensors, expectedTensors(fixture(`${layout}-${format}.expected.safetensors`)));
      },
    );

    it('finds the state dict: a bare dict, CCL training checkpoints (state_dict, DataParallel names), PANNs (model)', () => {
      const bare = readTorchCheckpoint(fixture(`bare-${format}.pth`));
      expect([bare.key, bare.strippedPrefix, bare.others, bare.skipped]).toEqual([null, null, {}, []]);
      expect(Object.keys(bare.tensors)).toEqual([
        'conv.weight',
        'conv.bias',
        'bn.weight',
        'bn.bias',
        'bn.running_mean',
        'bn.running_var',
        'bn.num_batches_tracked',
        'fc.weight',
        'fc.bias',
      ]);
      expect(bare.tensors['bn.num_batches_tracked']!.dtype).toBe('I64');

      const training = readTorchCheckpoint(fixture(`training-${format}.pth`));
      expect([training.key, training.strippedPrefix]).toEqual(['state_dict', 'module.']);
      expect(Object.keys(training.tensors)[0]).toBe('conv.weight');
      expect(training.others).toEqual({
        epoch: '7',
        arch: '"r2plus1d_18"',
        best_acc1: '0.5', // a numpy float64 scalar
        optimizer: expect.stringMatching(/^dict of 2 \(state, param_groups\), 4 tensors$/), // SGD momentum buffers of the 4 parameters that had gradients
        scheduler: expect.stringMatching(/^dict of \d+ \(milestones, .*\)$/), // MultiStepLR: its milestones are a collections.Counter
      });

      const panns = readTorchCheckpoint(fixture(`panns-${format}.pth`));
      expect([panns.key, panns.others]).toEqual(['model', { iteration: '660000' }]);
    });

    it('a non-contiguous view is written contiguous; views keep their own offsets into the shared storage', () => {
      const { tensors } = readTorchCheckpoint(fixture(`views-${format}.pth`));
      const values = (name: string) => Array.from(new Float32Array(Uint8Array.from(tensors[name]!.data).buffer));
      expect(values('block')).toEqual([8, 9, 10, 14, 15, 16]); // base[1:3, 2:5]
      expect(values('transposed').slice(0, 5)).toEqual([0, 6, 12, 18, 1]); // base.t()
      expect(values('stepped')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]); // base[:, ::2]
      expect(values('tail')[0]).toBe(10);
      expect(tensors.tail!.shape).toEqual([14]);
    });
  });

  it('float16 stays F16 and I64 beyond int32 stays exact in the raw tensors; converting to tfjs names the tensor that does not fit', () => {
    const { tensors } = readTorchCheckpoint(fixture('dtypes-zip.pth'));
    expect(Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, t.dtype]))).toMatchObject({
      f16: 'F16',
      bf16: 'BF16',
      f64: 'F64',
      i64: 'I64',
      bool: 'BOOL',
    });
    expect(new DataView(Uint8Array.from(tensors.i64!.data).buffer).getBigInt64(16, true)).toBe(2n ** 40n + 5n);
    expect(() => readWeights(fixture('dtypes-zip.pth'))).toThrow(/dtypes-zip\.pth: tensor 'i64': I64 value 1099511627781 does not fit int32/);
  });

  it('readWeights converts a .pth in memory: the same tfjs tensors as the safetensors file', () => {
    const a = readWeights(fixture('half-legacy.pth'));
    const b = readSafetensors(fixture('half-legacy.expected.safetensors'));
    expect(a.format).toBe('torch-legacy');
    expect(Object.keys(a.dict)).toEqual(Object.keys(b));
    for (const k of Object.keys(b)) {
      expect(a.dict[k]!.dtype).toBe(b[k]!.dtype);
      expect(Array.from(a.dict[k]!.dataSync())).toEqual(Array.from(b[k]!.dataSync()));
    }
    disposeDict(a.dict);
    disposeDict(b);
  });

  describe('safe by construction', () => {
    beforeEach(() => fs.rmSync(HOSTILE_MARKER, { force: true }));

    it.each([
      ['hostile-system-zip.pth', 'posix.system'], // os.system, as Python pickles it on Linux
      ['hostile-system-p4-zip.pth', 'posix.system'], // the same at pickle protocol 4 (STACK_GLOBAL)
      ['hostile-eval-legacy.pth', '__builtin__.eval'], // builtins.eval at pickle protocol 2
      ['module-zip.pth', 'torch.nn.modules.linear.Linear'], // a whole pickled model: its class is code
    ])('%s is refused, naming %s; nothing runs and nothing is written', (file, global) => {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-torch-')), 'out.safetensors');
      let message = '';
      try {
        importTorchCheckpoint(fixture(file), out);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`torch checkpoint ${fixture(file)}: refused to load global '${global}'`);
      expect(message).not.toContain('\n');
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.existsSync(HOSTILE_MARKER)).toBe(false);
    });
  });

  describe('damaged files: one clear line, checked before any allocation', () => {
    const oneLine = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        const m = (err as Error).message;
        expect(m).not.toContain('\n');
        return m;
      }
      throw new Error('did not throw');
    };

    it.each(['bare-zip.pth', 'bare-legacy.pth', 'cnn14-w64-legacy.pth', 'resnet18-w32-zip.pth'])('%s truncated anywhere is refused', (file) => {
      const bytes = fs.readFileSync(fixture(file));
      for (const keep of [0.1, 0.5, 0.9, 0.999].map((f) => Math.floor(bytes.length * f))) {
        expect(oneLine(() => parseTorchCheckpoint(bytes.subarray(0, keep), { source: 'x.pth' }))).toMatch(/^torch checkpoint x\.pth: /);
      }
    });

    it('a zip storage shorter than its tensors claim, a legacy storage count beyond the file, random bytes', () => {
      const files = unzipSync(fs.readFileSync(fixture('bare-zip.pth')));
      files['bare-zip/data/0'] = files['bare-zip/data/0']!.subarray(0, 12);
      const shortened = zipSync(files, { level: 0 });
      expect(oneLine(() => parseTorchCheckpoint(shortened, { source: 'short.pth' }))).toMatch(
        /^torch checkpoint short\.pth: storage '0' needs 216 bytes \(54 F32\), its entry 'bare-zip\/data\/0' holds 12 \(truncated file\?\)$/,
      );
      const legacy = Buffer.from(fs.readFileSync(fixture('bare-legacy.pth')));
      const last = legacy.length - 8 - 2 * 4; // fc.bias: the last storage, 2 float32 after its int64 count
      expect(legacy.readBigInt64LE(last)).toBe(2n);
      legacy.writeBigInt64LE(2n ** 60n, last);
      expect(oneLine(() => parseTorchCheckpoint(legacy, { source: 'big.pth' }))).toMatch(/claims 1152921504606846976 F32 elements, the file has 8 bytes left/);
      expect(oneLine(() => parseTorchCheckpoint(new Uint8Array(100).fill(7), { source: 'noise.pth' }))).toMatch(/not a PyTorch checkpoint/);
    });

    it('--key: a missing key or one without tensors lists what the file holds', () => {
      const file = fixture('training-zip.pth');
      expect(oneLine(() => readTorchCheckpoint(file, { key: 'weights' }))).toMatch(
        /key 'weights' is not in the file; the file's top-level keys: epoch \(7\), arch/,
      );
      expect(oneLine(() => readTorchCheckpoint(file, { key: 'optimizer' }))).toMatch(/key 'optimizer' holds no tensors \(dict of 2/);
      expect(readTorchCheckpoint(fixture('panns-zip.pth'), { key: 'model' }).key).toBe('model');
    });
  });

  describe('parity: encoders loaded from .pth give PyTorch outputs and the float64 references', () => {
    it('resnet18 (torchvision layout, zip, bare state dict)', () => {
      const enc = createEncoder('resnet18', { widthMultiplier: 1 / 32 });
      const { dict, format } = readWeights(fixture('resnet18-w32-zip.pth'));
      const io = readSafetensors(fixture('resnet18-w32.io.safetensors'));
      try {
        expect(format).toBe('torch-zip');
        enc.loadStateDict(dict, { strict: true, source: 'resnet18-w32-zip.pth' });
        const x = nchwToNhwc(io.input!);
        const features = enc.features(x);
        expect(features.shape).toEqual([2, 16]);
        const torchFeatures = io.features!.dataSync();
        expect(maxAbsDiff(features.dataSync(), torchFeatures)).toBeLessThan(1e-4);
        expect(Math.max(...Array.from(torchFeatures, Math.abs))).toBeGreaterThan(1e-2);
        const reference = resnetFeaturesRef(ndDict(fixture('resnet18-w32-zip.expected.safetensors')), nd([2, 3, 20, 20], io.input!.dataSync()), [
          ...RESNET_STAGE_BLOCKS[18]!,
        ]);
        expect(maxAbsDiff(features.dataSync(), reference)).toBeLessThan(1e-4);
        tf.dispose([x, features]);
      } finally {
        disposeDict(dict);
        disposeDict(io);
        enc.dispose();
      }
    });

    it("cnn14 (PANNs layout: legacy format, weights under 'model', front-end buffers from the file)", () => {
      const options = { sampleRate: 8000, windowSize: 64, hopSize: 16, melBins: 32, fMin: 50, fMax: 4000, widthMultiplier: 1 / 64, numClasses: 5 };
      const enc = createEncoder('cnn14', options);
      const { dict } = readWeights(fixture('cnn14-w64-legacy.pth'));
      const io = readSafetensors(fixture('cnn14-w64.io.safetensors'));
      try {
        enc.loadStateDict(dict, { strict: true, source: 'cnn14-w64-legacy.pth' });
        const { features, logits } = enc.apply(io.input!);
        expect(maxAbsDiff(features.dataSync(), io.embedding!.dataSync())).toBeLessThan(1e-4);
        expect(maxAbsDiff(logits!.dataSync(), io.logits!.dataSync())).toBeLessThan(1e-4);
        expect(Math.max(...Array.from(io.embedding!.dataSync(), Math.abs))).toBeGreaterThan(1e-2);
        const waves = [0, 1].map((b) => io.input!.dataSync().subarray(b * 496, (b + 1) * 496));
        const reference = cnn14Ref(ndDict(fixture('cnn14-w64-legacy.expected.safetensors')), waves, 64, 16);
        expect(maxAbsDiff(features.dataSync(), reference.embedding)).toBeLessThan(1e-4);
        expect(maxAbsDiff(logits!.dataSync(), reference.logits!)).toBeLessThan(1e-4);
        tf.dispose([features, logits!]);
      } finally {
        disposeDict(dict);
        disposeDict(io);
        enc.dispose();
      }
    });
  });
});
