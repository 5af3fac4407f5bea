import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { holdOutSplit, makeManifest } from '../src';
import { buildFolderManifest, checkDatasetArgs, getDataset, listDatasets, registerDataset, writeManifest } from '../src/node';

describe('dataset registry', () => {
  it("the media entry alone knows the built-in datasets (prepareDataset from '@ccl/data/media' found none unless '@ccl/data', now '@ccl/data/node', was loaded too)", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-media-alone-'));
    await jest.isolateModulesAsync(async () => {
      const media = require('@ccl/data/media') as typeof import('../src/media');
      await expect(media.prepareDataset({ dataset: 'folder', args: { root: path.join(out, 'no-videos') }, outDir: out })).rejects.toThrow(
        `${path.join(out, 'no-videos')}: not found (--root)`,
      );
    });
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('lists every built-in dataset, each registered beside its manifest builder', () => {
    expect(listDatasets()).toEqual(expect.arrayContaining(['activitynet', 'folder', 'manifest', 'ucf101', 'ucf51', 'vggsound']));
    for (const name of listDatasets()) {
      expect(getDataset(name).name).toBe(name);
      expect(getDataset(name).description.length).toBeGreaterThan(0);
    }
    expect(getDataset('ucf51').selectProbed).toBeDefined();
    expect(getDataset('folder').selectProbed).toBeUndefined();
  });

  it('an unknown dataset is refused naming the registered ones; a taken name throws unless override', () => {
    expect(() => getDataset('kinetics')).toThrow(/unknown dataset 'kinetics'; registered: activitynet, folder, manifest, ucf101, ucf51, vggsound/);
    const folder = getDataset('folder');
    expect(() => registerDataset({ ...folder, description: 'other' })).toThrow(/a dataset named 'folder' is already registered/);
    registerDataset({ ...folder }, { override: true });
    expect(getDataset('folder').description).toBe(folder.description);
  });

  it('builds the manifests the CLI asks for from its arguments', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-datasets-'));
    for (const f of ['cats/a.mp4', 'dogs/b.mp4']) {
      fs.mkdirSync(path.dirname(path.join(dir, 'videos', f)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'videos', f), '');
    }
    const args = { root: path.join(dir, 'videos') };
    // one video per class: nothing to hold out as a test split, but the split rule is recorded
    expect(getDataset('folder').buildManifest(args)).toEqual(holdOutSplit(buildFolderManifest({ root: args.root }), { fraction: 0.2, seed: 1, into: 'test' }));

    expect(() => getDataset('manifest').buildManifest(args)).toThrow('--annotations is required for this dataset');
    expect(() => getDataset('vggsound').buildManifest({ ...args, annotations: path.join(dir, 'missing.csv') })).toThrow(
      /missing\.csv: not found \(--annotations\)/,
    );
    const file = path.join(dir, 'm.json');
    const manifest = makeManifest({ dataset: 'mine', samples: [{ id: 'a', video: 'cats/a.mp4', label: 'cats', split: 'train' }] });
    writeManifest(file, manifest);
    expect(
      getDataset('manifest')
        .buildManifest({ ...args, annotations: file })
        .samples.map((s) => s.id),
    ).toEqual(['a']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each dataset says which arguments it reads and needs: --root is optional for manifest and refused nowhere silently', () => {
    const check = (name: string, args: Parameters<typeof checkDatasetArgs>[1]) => () => checkDatasetArgs(getDataset(name), args);
    expect(check('folder', { root: '/v', features: '/f' })).toThrow("dataset 'folder' does not read --features (it reads --root, --test-fraction)");
    expect(check('folder', { root: '/v', split: 2 })).toThrow(/dataset 'folder' does not read --split/);
    expect(check('vggsound', { root: '/v' })).toThrow(/--annotations is required for dataset 'vggsound' \(the CSV\)/);
    expect(check('ucf101', {})).toThrow(/--root is required for dataset 'ucf101'/);
    expect(check('manifest', { annotations: '/m.json' })()).toEqual({ annotations: '/m.json' });
    expect(check('manifest', { annotations: '/m.json', root: '/v' })()).toEqual({ annotations: '/m.json', root: '/v' });
    // the UCF split is checked at run time (from plain JS it built 'trainlist0undefined.txt'), default 1
    expect(check('ucf101', { root: '/v' })()).toEqual({ root: '/v', split: 1 });
    expect(check('ucf101', { root: '/v', split: 4 })).toThrow("--split must be 1, 2 or 3 for dataset 'ucf101', got 4");
    expect(check('ucf51', { root: '/v', split: '2' as unknown as number })).toThrow(/--split must be 1, 2 or 3 for dataset 'ucf51', got 2/);
    expect(check('folder', { root: '/v', testFraction: 1 })).toThrow('--test-fraction must be in [0, 1), got 1');
    // a dataset registered without a declaration reads --root alone
    registerDataset({ name: 'datasets-test-plain', description: 'x', buildManifest: () => makeManifest({ dataset: 'x', samples: [] }) });
    expect(check('datasets-test-plain', { root: '/v', annotations: '/a' })).toThrow(/does not read --annotations \(it reads --root\)/);
  });

  it('a manifest dataset resolves relative videos against --root, else its own root relative to the file, else its folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-manifest-root-'));
    const write = (name: string, root?: string) => {
      const m = makeManifest({ dataset: 'mine', samples: [{ id: 'a', video: 'cats/a.mp4', label: 'cats', split: 'train' }], ...(root ? { root } : {}) });
      writeManifest(path.join(dir, name), m);
      return path.join(dir, name);
    };
    const build = (annotations: string, root?: string) => getDataset('manifest').buildManifest({ annotations, ...(root ? { root } : {}) }).root;
    expect(build(write('plain.json'))).toBe(dir);
    expect(build(write('relative.json', 'videos'))).toBe(path.join(dir, 'videos'));
    expect(build(write('absolute.json', '/data/videos'))).toBe('/data/videos');
    expect(build(write('given.json', 'videos'), '/elsewhere')).toBe('/elsewhere');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a folder dataset has a test split: from train/ and test/ folders, else a seeded share of each class, group-aware for UCF names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-folder-split-'));
    const touch = (f: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    };
    for (const c of ['cats', 'dogs']) for (let i = 0; i < 10; i++) touch(`flat/${c}/${c}${i}.mp4`);
    const build = (root: string, extra: { testFraction?: number; seed?: number } = {}) =>
      getDataset('folder').buildManifest({ root: path.join(dir, root), ...extra });
    const flat = build('flat');
    const tests = (m: ReturnType<typeof build>) => m.samples.filter((s) => s.split === 'test').map((s) => s.id);
    expect(tests(flat)).toHaveLength(4); // 20% of each class of 10
    expect(tests(flat).filter((id) => id.startsWith('cats/'))).toHaveLength(2);
    expect(tests(build('flat'))).toEqual(tests(flat)); // seeded
    expect(tests(build('flat', { seed: 2 }))).not.toEqual(tests(flat));
    expect(tests(build('flat', { testFraction: 0.5 }))).toHaveLength(10);
    expect(tests(build('flat', { testFraction: 0 }))).toEqual([]);
    // UCF-style names: the clips of one group (one long video) land on the same side
    for (let g = 1; g <= 5; g++) for (let c = 1; c <= 3; c++) touch(`ucf/Biking/v_Biking_g0${g}_c0${c}.avi`);
    const ucf = build('ucf', { testFraction: 0.4 });
    const groupsBySplit = new Map<string, Set<number>>();
    for (const s of ucf.samples) groupsBySplit.set(s.split, (groupsBySplit.get(s.split) ?? new Set()).add(s.group!));
    expect(groupsBySplit.get('test')!.size).toBe(2);
    expect([...groupsBySplit.get('test')!].filter((g) => groupsBySplit.get('train')!.has(g))).toEqual([]);
    // train/ + test/ folders give the split
    for (const f of ['split/train/cats/a.mp4', 'split/train/dogs/b.mp4', 'split/test/cats/c.mp4', 'split/test/dogs/d.mp4']) touch(f);
    const layout = build('split');
    expect(layout.samples.map((s) => [s.id, s.split])).toEqual([
      ['train/cats/a', 'train'],
      ['train/dogs/b', 'train'],
      ['test/cats/c', 'test'],
      ['test/dogs/d', 'test'],
    ]);
    expect(() => build('split', { testFraction: 0.3 })).toThrow(/--test-fraction is for a flat folder; this one has train\/ and test\/ folders/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
