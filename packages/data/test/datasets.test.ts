import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFolderManifest, getDataset, listDatasets, makeManifest, registerDataset, writeManifest } from '../src';

describe('dataset registry', () => {
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
    const args = { root: path.join(dir, 'videos'), split: 1 };
    expect(getDataset('folder').buildManifest(args)).toEqual(buildFolderManifest({ root: args.root }));

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
});
