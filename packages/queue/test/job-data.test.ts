import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '@ccl/data';
import { clipPrepareTask } from '@ccl/data/media';
import { allowedFolders, checkedFeaturesJob, checkedPrepareJob, type FeaturesJobData, type PrepareJobData } from '../src';

/** What a worker accepts from a job (its data comes from whoever can write to Redis): the schema and the allowed folders. */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-job-data-')));
const allowedDir = path.join(dir, 'allowed');
const outside = path.join(dir, 'outside');
fs.mkdirSync(path.join(allowedDir, 'videos'), { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(allowedDir, 'videos', 'a.mp4'), 'not really a video');
fs.symlinkSync(outside, path.join(allowedDir, 'link-out'));
fs.symlinkSync(path.join(allowedDir, 'videos'), path.join(allowedDir, 'link-in'));
const allowed = allowedFolders([allowedDir]);
const manifest: Manifest = {
  schema: 'ccl.manifest',
  version: 1,
  dataset: 't',
  root: path.join(allowedDir, 'videos'),
  classes: ['x'],
  samples: [{ id: 'a', label: 'x', split: 'train', video: 'a.mp4' }],
};
const task = (cacheDir: string) => clipPrepareTask(manifest, manifest.samples[0]!, { cacheDir, shortSide: 240 });
const prepareJob = (over: Partial<PrepareJobData['task']> = {}): PrepareJobData =>
  JSON.parse(JSON.stringify({ run: 'r', task: { ...task(path.join(allowedDir, 'cache')), ...over } }));
const featuresJob = (over: Partial<FeaturesJobData> = {}, spec: Partial<FeaturesJobData['spec']> = {}): FeaturesJobData => ({
  run: 'r',
  spec: { teacher: 'resnet18', options: {}, frames: 2, size: 32, ...spec },
  cacheDir: path.join(allowedDir, 'cache'),
  outDir: path.join(allowedDir, 'features'),
  samples: manifest.samples,
  ...over,
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('allowedFolders (ccl worker --allow)', () => {
  it('needs existing folders, named when missing', () => {
    expect(() => allowedFolders([])).toThrow(/a worker needs at least one --allow DIR/);
    expect(() => allowedFolders([path.join(dir, 'nope')])).toThrow(`--allow ${path.join(dir, 'nope')}: no such folder`);
    expect(() => allowedFolders([path.join(allowedDir, 'videos', 'a.mp4')])).toThrow(/: not a folder$/);
    expect(allowedFolders([path.join(allowedDir, 'link-in')]).roots).toEqual([path.join(allowedDir, 'videos')]); // a link given on the command line is the user's choice: its target counts
  });

  it('accepts paths inside, existing or not, also through links that stay inside', () => {
    for (const p of [
      allowedDir,
      path.join(allowedDir, 'videos', 'a.mp4'),
      path.join(allowedDir, 'new', 'deeper', 'file'),
      path.join(allowedDir, 'link-in', 'a.mp4'),
    ])
      expect(() => allowed.check(p, 'video')).not.toThrow();
  });

  it('refuses paths outside, through a link, or relative, naming them; the refusal is final (not retried)', () => {
    const refusal = (p: string) => {
      try {
        allowed.check(p, 'video');
      } catch (err) {
        return { name: (err as Error).name, message: (err as Error).message };
      }
      return null;
    };
    expect(refusal('/etc/passwd')).toEqual({
      name: 'UnrecoverableError',
      message: `refused: video "/etc/passwd" is outside this worker's --allow folders (${allowedDir})`,
    });
    expect(refusal(path.join(allowedDir, '..', 'outside', 'x'))?.message).toBe(
      `refused: video "${path.join(allowedDir, '..', 'outside', 'x')}" is outside this worker's --allow folders (${allowedDir})`,
    );
    expect(refusal(path.join(allowedDir, 'link-out', 'secret'))?.message).toMatch(/is outside this worker's --allow folders \(.*\) through a symbolic link$/);
    expect(refusal(path.join(allowedDir, 'link-out', 'missing', 'deeper'))?.message).toMatch(/through a symbolic link$/);
    expect(refusal('videos/a.mp4')?.message).toBe('refused: video "videos/a.mp4" is not an absolute path');
    // the same answer whether the file outside exists or not: a job learns nothing about it
    expect(refusal('/etc/no-such-file')?.message).toBe(refusal('/etc/passwd')?.message.replace('/etc/passwd', '/etc/no-such-file'));
  });
});

describe('checkedPrepareJob / checkedFeaturesJob', () => {
  it('pass the jobs ccl itself adds', () => {
    expect(checkedPrepareJob(prepareJob(), allowed)).toEqual(prepareJob());
    expect(checkedPrepareJob({ ...prepareJob(), before: 'missing' }, allowed)).toMatchObject({ before: 'missing' });
    expect(checkedFeaturesJob(featuresJob({}, { weights: path.join(allowedDir, 'w.safetensors') }), allowed)).toMatchObject({ run: 'r' });
  });

  it('refuse a job that would write or read outside the allowed folders, naming the path', () => {
    expect(() => checkedPrepareJob(prepareJob({ cacheDir: outside }), allowed)).toThrow(
      `refused: clip cache "${outside}" is outside this worker's --allow folders`,
    );
    expect(() => checkedPrepareJob(prepareJob({ file: '/etc/passwd' }), allowed)).toThrow(`refused: video "/etc/passwd" is outside`);
    expect(() => checkedPrepareJob(prepareJob({ cacheDir: path.join(allowedDir, 'link-out') }), allowed)).toThrow(
      /refused: clip cache .* through a symbolic link/,
    );
    expect(() => checkedFeaturesJob(featuresJob({ outDir: outside }), allowed)).toThrow(`refused: features folder "${outside}" is outside`);
    expect(() => checkedFeaturesJob(featuresJob({ cacheDir: '/etc' }), allowed)).toThrow(`refused: clip cache "/etc" is outside`);
    expect(() => checkedFeaturesJob(featuresJob({}, { weights: '/etc/passwd' }), allowed)).toThrow(`refused: teacher weights "/etc/passwd" is outside`);
  });

  it('refuse a malformed job in one line naming the fields, as final', () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused(() => checkedPrepareJob({ run: 'r', task: { cacheDir: 7 } }, allowed))).toMatch(
      /^UnrecoverableError: refused: not a clip preparation job: task\.cacheDir: .*; task\.sample: .*; task\.file: .*\(and \d+ more\)$/,
    );
    expect(refused(() => checkedPrepareJob(null, allowed))).toMatch(/^UnrecoverableError: refused: not a clip preparation job: \(data\): /);
    expect(refused(() => checkedPrepareJob({ ...prepareJob(), extra: 1 }, allowed))).toMatch(
      /refused: not a clip preparation job: \(data\): Unrecognized key: "extra"/,
    );
    expect(refused(() => checkedPrepareJob(prepareJob({ cacheDir: 'cache' }), allowed))).toMatch(/task\.cacheDir: must be an absolute path/);
    expect(refused(() => checkedFeaturesJob(featuresJob({ samples: [] }), allowed))).toMatch(/not a teacher features job: samples: /);
    expect(refused(() => checkedFeaturesJob(featuresJob({}, { frames: 0 }), allowed))).toMatch(/spec\.frames: /);
  });

  it('ids and class names stay file names inside their folder; one that cannot be a file name is refused', () => {
    const x = manifest.samples[0]!;
    expect(() => checkedPrepareJob(prepareJob({ sample: { ...x, id: '../../../outside/x' } }), allowed)).not.toThrow(); // escaped: %2e%2e%2f...
    expect(() => checkedFeaturesJob(featuresJob({ samples: [{ ...x, label: '..', id: '../x' }] }), allowed)).not.toThrow();
    expect(() => checkedPrepareJob(prepareJob({ sample: { ...x, id: '\uD800' } }), allowed)).toThrow(
      /^refused: video id '.*': sample id "\\ud800" is not valid Unicode/,
    );
    expect(() => checkedFeaturesJob(featuresJob({ samples: [{ ...x, id: 'a'.repeat(1000) }] }), allowed)).toThrow(
      /^refused: video id 'a+': sample id .* is too long/,
    );
  });
});
