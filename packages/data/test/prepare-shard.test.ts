import * as fs from 'node:fs';
import * as path from 'node:path';
import { holdOutValidation, type Manifest } from '../src';
import { readManifest, registerDataset } from '../src/node';
import {
  assemblePrepareReport,
  closeMediaInfo,
  generateSyntheticAV,
  prepareClip,
  prepareClipCache,
  clipPrepareTask,
  manifestOfCachedSamples,
  prepareDataset,
  probeManifest,
} from '../src/media';
import { tempDir } from './helpers';

const dir = tempDir('ccl-prepare-shard-');
let manifest: Manifest;

beforeAll(async () => {
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 4,
    numClasses: 2,
    videosPerClass: 2,
    width: 32,
    height: 24,
    frames: 4,
    fps: 4,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
  });
  fs.writeFileSync(path.join(gen.manifest.root!, 'random.mp4'), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 31) & 255)));
  manifest = { ...gen.manifest, samples: [...gen.manifest.samples, { id: 'bad', label: gen.manifest.classes[0]!, split: 'train', video: 'random.mp4' }] };
});
afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prepareClipCache --shard i/N', () => {
  it('two shards fill the same cache as one run; each writes its own report; a final run reuses every clip', async () => {
    const cacheDir = path.join(dir, 'sharded');
    const r0 = await prepareClipCache({ manifest, cacheDir, shortSide: null, shard: { index: 0, count: 2 }, concurrency: 1 });
    const r1 = await prepareClipCache({ manifest, cacheDir, shortSide: null, shard: { index: 1, count: 2 }, concurrency: 1 });
    expect([r0.total, r1.total]).toEqual([3, 2]); // samples 0, 2, 4 and 1, 3
    expect(r0.prepared + r1.prepared).toBe(4);
    expect([...r0.skipped, ...r1.skipped].map((s) => s.id)).toEqual(['bad']);
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir, 'prepare-report.shard-1-of-2.json'), 'utf8'))).toEqual(r1);
    expect(fs.existsSync(path.join(cacheDir, 'prepare-report.json'))).toBe(false);
    const final = await prepareClipCache({ manifest, cacheDir, shortSide: null, concurrency: 1 });
    expect(final).toMatchObject({ total: 5, prepared: 0, alreadyCached: 4, aborted: false });
    expect(final.skipped.map((s) => s.id)).toEqual(['bad']);
    await expect(prepareClipCache({ manifest, cacheDir, shard: { index: 2, count: 2 } })).rejects.toThrow('shard 2/2');
  });

  it('prepareClip is idempotent, and a retry after a killed attempt reports what that attempt would have', async () => {
    const cacheDir = path.join(dir, 'one');
    const task = clipPrepareTask(manifest, manifest.samples[0]!, { cacheDir, shortSide: null });
    expect((await prepareClip(task)).status).toBe('done');
    expect((await prepareClip(task)).status).toBe('cached');
    expect((await prepareClip(task, { before: 'missing' })).status).toBe('done');
    const bad = await prepareClip(clipPrepareTask(manifest, manifest.samples[4]!, { cacheDir, shortSide: null }));
    expect(bad).toMatchObject({ id: 'bad', status: 'skipped', reason: expect.any(String) });
    // the report is assembled in manifest order whatever order the results come in
    const report = assemblePrepareReport({ ...manifest, samples: manifest.samples.slice(0, 1).concat(manifest.samples[4]!) }, [bad, await prepareClip(task)]);
    expect(report).toMatchObject({ total: 2, alreadyCached: 1, prepared: 0, aborted: false, skipped: [{ id: 'bad' }] });
    expect(assemblePrepareReport(manifest, [bad]).aborted).toBe(true);
  });
});

describe('prepareDataset (ccl data prepare)', () => {
  it('builds the registered dataset, holds out validation; shards write only their reports; the whole run writes the manifest of the cached videos', async () => {
    registerDataset({ name: 'prepare-dataset-test', description: 'the synthetic videos and one broken file', buildManifest: () => manifest });
    const outDir = path.join(dir, 'dataset');
    const common = { dataset: 'prepare-dataset-test', args: { root: manifest.root! }, outDir, shortSide: null, val: 0.5, seed: 3, concurrency: 1 };
    const shard = await prepareDataset({ ...common, shard: { index: 1, count: 2 } });
    expect(shard).toMatchObject({ manifest: null, manifestFile: null, reportFile: path.join(outDir, 'cache', 'prepare-report.shard-1-of-2.json') });
    expect(shard.report.total).toBe(2);
    expect(fs.existsSync(path.join(outDir, 'manifest.json'))).toBe(false);
    const whole = await prepareDataset({
      ...common,
      onProbeFailure: (f) => {
        throw new Error(`${f.id}: probed before preparing, expected while preparing`);
      },
    });
    expect(whole.report).toMatchObject({ total: 5, prepared: 2, alreadyCached: 2 });
    expect(whole.report.skipped.map((x) => x.id)).toEqual(['bad']);
    expect(whole.manifest!.samples.map((x) => x.id).sort()).toEqual(
      manifest.samples
        .slice(0, 4)
        .map((x) => x.id)
        .sort(),
    );
    expect(whole.manifest!.samples.some((x) => x.split === 'val')).toBe(true);
    // the same manifest as probing every video first (probeManifest), then preparing
    const probedFirst = holdOutValidation((await probeManifest(manifest)).manifest, { fraction: 0.5, seed: 3 });
    expect(whole.manifest).toEqual(manifestOfCachedSamples(probedFirst, whole.report));
    expect(whole.manifest!.samples.every((x) => x.probe && x.probe.frameCount > 0)).toBe(true);
    expect(readManifest(whole.manifestFile!)).toEqual(whole.manifest);
    await expect(prepareDataset({ ...common, args: { root: path.join(dir, 'nope') } })).rejects.toThrow(`${path.join(dir, 'nope')}: not found (--root)`);
    await expect(prepareDataset({ ...common, dataset: 'kinetics' })).rejects.toThrow(/kinetics/);
  });

  it('a dataset that chooses among probed videos (selectProbed) has them all probed first; probe failures are told', async () => {
    registerDataset({
      name: 'prepare-dataset-select-test',
      description: 'the synthetic videos, keeping those with at least 4 frames',
      buildManifest: () => manifest,
      selectProbed: (probed) => ({ ...probed, samples: probed.samples.filter((x) => (x.probe?.frameCount ?? 0) >= 4) }),
    });
    const failures: string[] = [];
    const r = await prepareDataset({
      dataset: 'prepare-dataset-select-test',
      args: { root: manifest.root! },
      outDir: path.join(dir, 'dataset-select'),
      shortSide: null,
      val: 0,
      concurrency: 1,
      onProbeFailure: (f) => failures.push(f.id),
    });
    expect(failures).toEqual(['bad']);
    expect(r.report).toMatchObject({ total: 4, prepared: 4, skipped: [] });
    expect(r.manifest!.samples.every((x) => x.probe && x.probe.frameCount >= 4)).toBe(true);
  });
});
