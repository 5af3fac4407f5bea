import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { KINETICS_MEAN, makeManifest } from '@ccl/data';
import { writeManifest } from '@ccl/data/node';
import { resolveExperimentConfig, saveCheckpoint } from '@ccl/distill';
import { createEncoder, parseSafetensors } from '@ccl/encoders';
import { exportStudent, studentFor } from '../src';

/** A run folder as `ccl train` leaves it (run.json + checkpoints/best.ckpt), without training. */
function fakeRun(
  run: Record<string, unknown>,
  numClasses: number,
  alter: (dict: Record<string, tf.Tensor>) => Record<string, tf.Tensor> = (d) => d,
): { dir: string; state: Record<string, number[]> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-export-'));
  const config = resolveExperimentConfig(run.config, 'run.json');
  const student = studentFor(config, numClasses);
  const dict = alter(student.stateDict());
  const state = Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, Array.from(t.dataSync())]));
  const head = tf.zeros([2]);
  fs.mkdirSync(path.join(dir, 'checkpoints'));
  saveCheckpoint(
    path.join(dir, 'checkpoints', 'best.ckpt'),
    { ...Object.fromEntries(Object.entries(dict).map(([k, t]) => [`student.${k}`, t])), 'head.other': head },
    {
      format: 'ccl-checkpoint/1',
      architecture: 'r2plus1d-18 (test)',
      epoch: 3,
      stepInEpoch: 0,
      globalStep: 12,
      bestMetric: null,
      config: run.config,
    },
  );
  tf.dispose([...Object.values(dict), head]);
  student.dispose();
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run));
  return { dir, state };
}

const config = (extra: Record<string, unknown> = {}) => ({
  method: 'baseline',
  seed: 2,
  student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16, numClasses: 3 } },
  teachers: [],
  ...extra,
});

describe('exportStudent (ccl export)', () => {
  it("writes the student's tensors and student.json (encoder, classes, clip spec) that rebuild the same student", () => {
    const { dir, state } = fakeRun({ config: config(), method: 'baseline', clip: { frames: 8, size: 32 }, classes: ['a', 'b', 'c'] }, 3);
    const out = path.join(dir, 'web');
    const { files, spec } = exportStudent(dir, out);
    expect(files).toEqual([path.join(out, 'student.safetensors'), path.join(out, 'student.json')]);
    expect(JSON.parse(fs.readFileSync(files[1]!, 'utf8'))).toEqual(spec);
    expect(spec).toMatchObject({
      format: 'ccl-student/1',
      encoder: 'r2plus1d-18',
      options: { widthMultiplier: 1 / 16, numClasses: 3 },
      weights: 'student.safetensors',
      classes: ['a', 'b', 'c'],
      clip: { frames: 8, size: 32, stride: 8, valueScale: 1, mean: [...KINETICS_MEAN] },
      source: { checkpoint: 'best.ckpt', method: 'baseline', epoch: 3, globalStep: 12 },
    });
    // the weights: exactly the student's tensors, names without 'student.', loadable strictly into a fresh student
    const tensors = parseSafetensors(new Uint8Array(fs.readFileSync(files[0]!)), files[0]);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(state).sort());
    for (const [k, v] of Object.entries(state)) expect(Array.from(tensors[k]!.dataSync())).toEqual(v);
    const fresh = createEncoder(spec.encoder, spec.options);
    fresh.loadStateDict(tensors, { strict: true, source: files[0] });
    tf.dispose(Object.values(tensors));
    fresh.dispose();
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("reads the clip and classes of a `ccl train` run from its config's data section and manifest", () => {
    const { dir } = fakeRun({ config: config({ data: { manifest: 'm.json', cacheDir: 'cache', frames: 4, size: 16 } }) }, 3);
    writeManifest(path.join(dir, 'm.json'), makeManifest({ dataset: 'test', classes: ['x', 'y', 'z'], samples: [] }));
    const { spec } = exportStudent(dir, path.join(dir, 'web'));
    expect(spec.classes).toEqual(['x', 'y', 'z']);
    expect(spec.clip).toMatchObject({ frames: 4, size: 16 });
    expect(() => exportStudent(dir, path.join(dir, 'web'), { size: 32 })).toThrow(/run\.json: the run was trained on clips of size 16, not 32/);
  });

  it('a demo run that records no clip needs frames and size; classes come from its evaluation; bad input names the file', () => {
    const { dir } = fakeRun({ config: config() }, 3);
    expect(() => exportStudent(dir, path.join(dir, 'web'))).toThrow(/run\.json: records no clip frames and size .*ccl export --frames N --size N/);
    expect(() => exportStudent(dir, path.join(dir, 'web'), { frames: 8, size: 32 })).toThrow(/run\.json: names no class list/);
    fs.mkdirSync(path.join(dir, 'eval'));
    fs.writeFileSync(path.join(dir, 'eval', 'recognition.json'), JSON.stringify({ classNames: ['p', 'q', 'r'] }));
    expect(exportStudent(dir, path.join(dir, 'web'), { frames: 8, size: 32 }).spec).toMatchObject({ classes: ['p', 'q', 'r'], clip: { frames: 8, size: 32 } });
    fs.writeFileSync(path.join(dir, 'eval', 'recognition.json'), JSON.stringify({ classNames: ['p', 'q'] }));
    expect(() => exportStudent(dir, path.join(dir, 'web'), { frames: 8, size: 32 })).toThrow(
      /run\.json: the student has 3 classes but the run's class list has 2/,
    );
    fs.writeFileSync(path.join(dir, 'eval', 'recognition.json'), JSON.stringify({ classNames: ['p', 'q', 'r'] }));
    expect(() => exportStudent(dir, path.join(dir, 'web'), { frames: 8, size: 32, checkpoint: 'nope.ckpt' })).toThrow(/nope\.ckpt: checkpoint not found/);
    expect(() => exportStudent(path.join(dir, 'missing'), path.join(dir, 'web'))).toThrow(/missing[/\\]run\.json: not found/);
  });

  it("refuses a checkpoint that does not fit the run's student, as ccl eval does, writing nothing", () => {
    const run = { config: config(), method: 'baseline', clip: { frames: 8, size: 32 }, classes: ['a', 'b', 'c'] };
    const refused = (dir: string, message: RegExp) => {
      const out = path.join(dir, 'web');
      expect(() => exportStudent(dir, out)).toThrow(message);
      expect(fs.existsSync(out)).toBe(false);
    };
    // another architecture's tensors: a [0, 1e300] tensor in place of the student's (it was exported)
    const alien = fakeRun(run, 3, (dict) => {
      tf.dispose(Object.values(dict));
      return { weight: tf.tensor1d([0, 1e300]) };
    });
    refused(alien.dir, /best\.ckpt, strict\) failed, nothing was loaded:\n {2}missing keys \(\d+\): .*\n {2}unexpected keys \(1\): weight$/);
    // the right names, one shape off
    const reshaped = fakeRun(run, 3, (dict) => {
      const name = Object.keys(dict).find((k) => dict[k]!.rank === 2)!;
      const [rows, cols] = dict[name]!.shape as [number, number];
      dict[name]!.dispose();
      return { ...dict, [name]: tf.zeros([rows + 1, cols]) };
    });
    refused(reshaped.dir, /best\.ckpt, strict\) failed, nothing was loaded:\n {2}shape mismatch \(1\): \S+ expected \[\d+, \d+\] got \[\d+, \d+\]$/);
    // the right shapes, values that overflow float32
    const overflowing = fakeRun(run, 3, (dict) => {
      const name = Object.keys(dict).find((k) => dict[k]!.dtype === 'float32')!;
      const t = dict[name]!;
      const bad = tf.tensor(
        Float32Array.from(t.dataSync(), (v, i) => (i === 0 ? Number.POSITIVE_INFINITY : v)),
        t.shape,
      );
      t.dispose();
      return { ...dict, [name]: bad };
    });
    refused(overflowing.dir, /best\.ckpt: the student's tensor '.+' holds non-finite values/);
    // a checkpoint of another model than run.json records
    const other = fakeRun({ ...run, architecture: 'r2plus1d-18 (another)' }, 3);
    refused(other.dir, /best\.ckpt: checkpoint is for another model:\n {2}checkpoint: r2plus1d-18 \(test\)\n {2}this run: {3}r2plus1d-18 \(another\)/);
  });

  it("refuses a non-empty folder that holds no export, naming what is there; --force replaces only the export's two files", () => {
    const { dir } = fakeRun({ config: config(), method: 'baseline', clip: { frames: 8, size: 32 }, classes: ['a', 'b', 'c'] }, 3);
    const out = path.join(dir, 'site');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'student.json'), '{"mine": true}\n');
    fs.writeFileSync(path.join(out, 'index.html'), '<p>my page</p>\n');
    expect(() => exportStudent(dir, out)).toThrow(
      `${out}: is not empty and not written by ccl export (index.html, student.json); choose an empty or new folder, or pass --force to write into it`,
    );
    expect(fs.readFileSync(path.join(out, 'student.json'), 'utf8')).toBe('{"mine": true}\n');
    expect(fs.readdirSync(out).sort()).toEqual(['index.html', 'student.json']);
    exportStudent(dir, out, { force: true });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'student.json'), 'utf8')).format).toBe('ccl-student/1');
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe('<p>my page</p>\n');
    exportStudent(dir, out); // ours now: a rerun needs no --force
    expect(fs.readdirSync(out).sort()).toEqual(['.ccl-output.json', 'index.html', 'student.json', 'student.safetensors']);
    // any other folder holding files is refused the same way
    expect(() => exportStudent(dir, path.join(dir, 'checkpoints'))).toThrow(/checkpoints: is not empty and not written by ccl export \(best\.ckpt\)/);
  });
});
