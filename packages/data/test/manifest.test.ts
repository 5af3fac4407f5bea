import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_SCHEMA, holdOutValidation, labelIndices, validateManifest } from '../src';
import {
  buildActivityNetManifest,
  buildFolderManifest,
  buildUcf101FromFolders,
  buildUcf101FromLists,
  buildUcf51FromFeatures,
  buildVggSoundManifest,
  parseCsvLine,
  readFeaturesFolder,
  readManifest,
  selectClassesWithAudio,
  writeManifest,
  writeNpy,
} from '../src/node';
import type { Manifest } from '../src';
import { tempDir } from './helpers';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (rel: string, text: string): string => {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

describe('manifest schema', () => {
  const ok = (): Manifest => ({
    schema: MANIFEST_SCHEMA,
    version: 1,
    dataset: 'd',
    classes: ['b', 'a'],
    samples: [
      { id: 'x', label: 'a', split: 'train' },
      { id: 'y', label: 'b', split: 'test', segment: [0, 2] },
    ],
  });

  it('accepts a valid manifest, keeps the explicit class order and round-trips through a file', () => {
    const m = ok();
    expect(Array.from(labelIndices(validateManifest(m)))).toEqual([1, 0]);
    const file = path.join(dir, 'm.json');
    writeManifest(file, m);
    expect(readManifest(file)).toEqual(m);
  });

  it('lists every problem with the source named', () => {
    const m = ok() as unknown as Record<string, unknown>;
    m.version = 2;
    (m.samples as unknown[]).push({ id: 'x', label: 'zzz', split: 'dev', segment: [3, 1] });
    (m.classes as string[]).push('a');
    let msg = '';
    try {
      validateManifest(m, 'bad.json');
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/^bad\.json: invalid manifest \(6 problems\)/);
    expect(msg).toMatch(/unsupported manifest version 2/);
    expect(msg).toMatch(/duplicate class name 'a'/);
    expect(msg).toMatch(/samples\[2\] \('x'\): duplicate video id 'x' \(also samples\[0\]\)/);
    expect(msg).toMatch(/label 'zzz' is missing from the class list/);
    expect(msg).toMatch(/'split' must be one of train\/val\/test, got "dev"/);
    expect(msg).toMatch(/segment \[3, 1\] must have 0 <= start < end/);
    expect(() => validateManifest([], 'arr.json')).toThrow(/arr\.json: manifest must be a JSON object/);
    expect(() => readManifest(write('broken.json', '{'))).toThrow(/broken\.json: manifest is not valid JSON/);
  });

  it('refuses ids and class names that are empty, hold control characters or collide as file names, naming each', () => {
    const m = ok();
    m.classes.push('a\u0007bell', 'B');
    m.samples.push(
      { id: '', label: 'a', split: 'train' },
      { id: 'nul\u0000byte', label: 'a', split: 'train' },
      { id: 'line\nbreak', label: 'a', split: 'train' },
      { id: 'X', label: 'a', split: 'train' },
      { id: 'lone\uDC00', label: 'a', split: 'train' },
    );
    let msg = '';
    try {
      validateManifest(m, 'm.json');
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/^m\.json: invalid manifest \(7 problems\)/);
    expect(msg).toMatch(/classes\[2\] "a\\u0007bell": contains a control character \(U\+0007\)/);
    expect(msg).toMatch(/classes\[3\] "B": maps to the same folder as classes\[0\] "b"/);
    expect(msg).toMatch(/samples\[2\] \(''\): 'id' must be a non-empty string/);
    expect(msg).toMatch(/samples\[3\] \("nul\\u0000byte"\): id contains a control character \(U\+0000\)/);
    expect(msg).toMatch(/samples\[4\] \("line\\nbreak"\): id contains a control character \(U\+000A\)/);
    expect(msg).toMatch(/samples\[5\] \('X'\): id maps to the same file as samples\[0\] \("x"\)/);
    expect(msg).toMatch(/samples\[6\] .*is not valid Unicode/);
    // what the mapping makes safe is accepted: '../' ids, Windows names, odd Unicode
    const fine = ok();
    fine.samples.push(
      { id: '../../../../escaped', label: 'a', split: 'train' },
      { id: 'CON', label: 'a', split: 'train' },
      { id: 'a\uFF0Fb\u202E', label: 'b', split: 'train' },
    );
    expect(validateManifest(fine).samples).toHaveLength(5);
  });
});

describe('UCF101 / UCF51 builders', () => {
  it('builds from the official classInd + train/test lists, class order from classInd', () => {
    const classInd = write('ucf/classInd.txt', '1 Zumba\n2 Archery\n');
    const train = write('ucf/trainlist01.txt', 'Zumba/v_Zumba_g08_c01.avi 1\nArchery/v_Archery_g09_c02.avi 2\n');
    const test = write('ucf/testlist01.txt', 'Archery/v_Archery_g01_c01.avi\n');
    const m = buildUcf101FromLists({ classIndFile: classInd, trainListFile: train, testListFile: test, videoRoot: '/videos' });
    expect(m.classes).toEqual(['Zumba', 'Archery']);
    expect(m.root).toBe('/videos');
    expect(m.samples).toEqual([
      { id: 'v_Zumba_g08_c01', label: 'Zumba', split: 'train', video: 'Zumba/v_Zumba_g08_c01.avi', group: 8 },
      { id: 'v_Archery_g09_c02', label: 'Archery', split: 'train', video: 'Archery/v_Archery_g09_c02.avi', group: 9 },
      { id: 'v_Archery_g01_c01', label: 'Archery', split: 'test', video: 'Archery/v_Archery_g01_c01.avi', group: 1 },
    ]);
    const missing = write('ucf/testlist02.txt', 'Archery/v_Archery_g01_c01.avi\nDrum/v_Drum_g01_c01.avi\n');
    expect(() => buildUcf101FromLists({ classIndFile: classInd, trainListFile: train, testListFile: missing })).toThrow(
      /testlist02\.txt:2: label 'Drum' is missing from the class list/,
    );
    const dup = write('ucf/testlist03.txt', 'Zumba/v_Zumba_g08_c01.avi\n');
    expect(() => buildUcf101FromLists({ classIndFile: classInd, trainListFile: train, testListFile: dup })).toThrow(/duplicate video id 'v_Zumba_g08_c01'/);
    const wrongIdx = write('ucf/trainlist09.txt', 'Zumba/v_Zumba_g08_c01.avi 2\n');
    expect(() => buildUcf101FromLists({ classIndFile: classInd, trainListFile: wrongIdx, testListFile: test })).toThrow(
      /trainlist09\.txt:1: class index 2 is 'Archery' in classInd, but the path says 'Zumba'/,
    );
  });

  it('derives splits 1/2/3 from group numbers when scanning folders, and rejects empty class folders', () => {
    for (const [c, g] of [
      ['B', 1],
      ['B', 8],
      ['A', 15],
      ['A', 22],
    ] as const)
      write(`scan/${c}/v_${c}_g${String(g).padStart(2, '0')}_c01.avi`, 'x');
    const splitOf = (s: 1 | 2 | 3): string[] =>
      buildUcf101FromFolders({ videoRoot: path.join(dir, 'scan'), split: s }).samples.map((x) => `${x.id}:${x.split}`);
    expect(splitOf(1)).toEqual(['v_A_g15_c01:train', 'v_A_g22_c01:train', 'v_B_g01_c01:test', 'v_B_g08_c01:train']);
    expect(splitOf(2)).toEqual(['v_A_g15_c01:train', 'v_A_g22_c01:train', 'v_B_g01_c01:train', 'v_B_g08_c01:test']);
    expect(splitOf(3)).toEqual(['v_A_g15_c01:test', 'v_A_g22_c01:train', 'v_B_g01_c01:train', 'v_B_g08_c01:train']);
    expect(buildUcf101FromFolders({ videoRoot: path.join(dir, 'scan') }).classes).toEqual(['A', 'B']);
    expect(buildUcf101FromFolders({ videoRoot: path.join(dir, 'scan'), classes: ['B', 'A'] }).classes).toEqual(['B', 'A']);
    expect(() => buildUcf101FromFolders({ videoRoot: path.join(dir, 'scan'), classes: ['B'] })).toThrow(/label 'A' is missing from the class list/);
    fs.mkdirSync(path.join(dir, 'scan', 'C'));
    write('scan/C/notes.txt', 'not a video');
    expect(() => buildUcf101FromFolders({ videoRoot: path.join(dir, 'scan') })).toThrow(/scan\/C: class folder 'C' has no videos/);
  });

  it('builds UCF51 from a features folder and from probed audio presence', () => {
    const put = (rel: string): void => writeNpy(path.join(dir, 'feat', rel), { dtype: 'float32', shape: [2], data: new Float32Array(2) });
    put('Drum/v_Drum_g02_c01.npy');
    put('Drum/v_Drum_g12_c01.npy');
    put('Bowl/v_Bowl_g20_c03.npy');
    const m = buildUcf51FromFeatures(readFeaturesFolder(path.join(dir, 'feat')), { videoRoot: '/ucf' });
    expect(m.classes).toEqual(['Bowl', 'Drum']);
    expect(m.samples.map((s) => [s.id, s.split, s.teacher?.audio, s.video])).toEqual([
      ['v_Bowl_g20_c03', 'train', 'v_Bowl_g20_c03', 'Bowl/v_Bowl_g20_c03.avi'],
      ['v_Drum_g02_c01', 'test', 'v_Drum_g02_c01', 'Drum/v_Drum_g02_c01.avi'],
      ['v_Drum_g12_c01', 'train', 'v_Drum_g12_c01', 'Drum/v_Drum_g12_c01.avi'],
    ]);
    const probe = (hasAudio: boolean) => ({ durationS: 1, fps: 25, frameCount: 25, width: 320, height: 240, videoCodec: 'AVC', hasAudio });
    const base: Manifest = {
      schema: MANIFEST_SCHEMA,
      version: 1,
      dataset: 'ucf101',
      classes: ['A', 'B', 'C'],
      samples: [
        { id: 'a1', label: 'A', split: 'train', probe: probe(true) },
        { id: 'a2', label: 'A', split: 'test', probe: probe(false) },
        { id: 'b1', label: 'B', split: 'train', probe: probe(false) },
        { id: 'c1', label: 'C', split: 'train', probe: probe(true) },
      ],
    };
    const u51 = selectClassesWithAudio(base);
    expect(u51.classes).toEqual(['A', 'C']);
    expect(u51.samples.map((s) => s.id)).toEqual(['a1', 'a2', 'c1']);
    expect(selectClassesWithAudio(base, { minAudioFraction: 1 }).classes).toEqual(['C']);
    const unprobed = { ...base, samples: [{ id: 'z', label: 'A', split: 'train' as const }] };
    expect(() => selectClassesWithAudio(unprobed)).toThrow(/sample 'z' has no probe results/);
  });
});

describe('ActivityNet, VGGSound and folder builders', () => {
  it('ActivityNet v1.3: trimmed segments, taxonomy leaves as sorted classes, testing subset skipped', () => {
    const json = {
      version: 'VERSION 1.3',
      taxonomy: [
        { nodeName: 'Root', nodeId: 0, parentId: null },
        { nodeName: 'Sports', nodeId: 1, parentId: 0 },
        { nodeName: 'Surfing', nodeId: 2, parentId: 1 },
        { nodeName: 'Archery', nodeId: 3, parentId: 1 },
      ],
      database: {
        vid2: { subset: 'validation', duration: 20, annotations: [{ segment: [5, 25], label: 'Surfing' }] },
        vid1: {
          subset: 'training',
          duration: 100,
          annotations: [
            { segment: [1.5, 10], label: 'Archery' },
            { segment: [50, 60], label: 'Surfing' },
          ],
        },
        vid3: { subset: 'testing', duration: 10, annotations: [] },
      },
    };
    const m = buildActivityNetManifest({ jsonFile: write('anet.json', JSON.stringify(json)) });
    expect(m.classes).toEqual(['Archery', 'Surfing']);
    expect(m.samples).toEqual([
      { id: 'vid1_0', label: 'Archery', split: 'train', video: 'v_vid1.mp4', segment: [1.5, 10] },
      { id: 'vid1_1', label: 'Surfing', split: 'train', video: 'v_vid1.mp4', segment: [50, 60] },
      { id: 'vid2_0', label: 'Surfing', split: 'test', video: 'v_vid2.mp4', segment: [5, 20] },
    ]);
    const bad = { ...json, database: { v: { subset: 'training', annotations: [{ segment: [0, 1], label: 'Bowling' }] } } };
    expect(() => buildActivityNetManifest({ jsonFile: write('anet-bad.json', JSON.stringify(bad)) })).toThrow(
      /anet-bad\.json: database\['v'\]\.annotations\[0\]: label 'Bowling' is missing from the class list/,
    );
    expect(() => buildActivityNetManifest({ jsonFile: write('anet-x.json', '{"x":1}') })).toThrow(/anet-x\.json: missing 'database'/);
  });

  it('VGGSound CSV: quoted labels with commas, each file the 10-s clip itself (start only names it), errors with line numbers', () => {
    expect(parseCsvLine('a,"b, c ""q""",d')).toEqual(['a', 'b, c "q"', 'd']);
    const csv = write(
      'vgg.csv',
      '---g-f_I2yQ,1,people marching,test\n--0PQM4-hqg,30,"waterfall burbling",train\n-1xSN7OMJtQ,12,"dog barking, growling",train\n',
    );
    const m = buildVggSoundManifest({ csvFile: csv });
    expect(m.classes).toEqual(['dog barking, growling', 'people marching', 'waterfall burbling']);
    // the downloaded <id>_<start>.mp4 is the segment: decoded whole (a start of 30 inside a 10-s file decoded nothing)
    expect(m.samples[0]).toEqual({ id: '---g-f_I2yQ_000001', label: 'people marching', split: 'test', video: '---g-f_I2yQ_000001.mp4' });
    expect(m.samples.map((s) => s.segment)).toEqual([undefined, undefined, undefined]);
    // files that are the whole YouTube videos: the clip is the segment inside them
    const full = buildVggSoundManifest({ csvFile: csv, fullVideos: true, videoName: (id) => `${id}.mp4` });
    expect(full.samples.map((s) => [s.video, s.segment])).toEqual([
      ['---g-f_I2yQ.mp4', [1, 11]],
      ['--0PQM4-hqg.mp4', [30, 40]],
      ['-1xSN7OMJtQ.mp4', [12, 22]],
    ]);
    const dup = write('vgg-dup.csv', 'a,1,x,train\na,1,x,test\n');
    expect(() => buildVggSoundManifest({ csvFile: dup })).toThrow(/duplicate video id 'a_000001'/);
    const badSplit = write('vgg-bad.csv', 'a,1,x,train\nb,2,y,val\n');
    expect(() => buildVggSoundManifest({ csvFile: badSplit })).toThrow(/vgg-bad\.csv:2: split must be 'train' or 'test', got 'val'/);
    expect(() => buildVggSoundManifest({ csvFile: csv, classes: ['people marching'] })).toThrow(/label 'waterfall burbling' is missing from the class list/);
  });

  it('generic folder-per-class with a split function', () => {
    write('gen/dogs/a.mp4', 'x');
    write('gen/dogs/b.mkv', 'x');
    write('gen/cats/a.mp4', 'x');
    write('gen/cats/._a.mp4', 'mac');
    const m = buildFolderManifest({ root: path.join(dir, 'gen'), splitOf: (_c, f) => (f.startsWith('b') ? 'val' : 'train') });
    expect(m.classes).toEqual(['cats', 'dogs']);
    expect(m.samples.map((s) => [s.id, s.split, s.video])).toEqual([
      ['cats/a', 'train', 'cats/a.mp4'],
      ['dogs/a', 'train', 'dogs/a.mp4'],
      ['dogs/b', 'val', 'dogs/b.mkv'],
    ]);
    expect(() => buildFolderManifest({ root: path.join(dir, 'none') })).toThrow(/none: video folder does not exist/);
  });
});

describe('held-out validation split', () => {
  const mk = (withGroups: boolean): Manifest => {
    const samples = [];
    for (const c of ['A', 'B']) {
      for (let g = 1; g <= 10; g++) {
        for (let k = 1; k <= 2; k++) {
          const s: Manifest['samples'][number] = { id: `v_${c}_g${g}_c${k}`, label: c, split: g <= 2 ? 'test' : 'train' };
          if (withGroups) s.group = g;
          samples.push(s);
        }
      }
    }
    return { schema: MANIFEST_SCHEMA, version: 1, dataset: 'h', classes: ['A', 'B'], samples };
  };

  it('holds out whole (class, group) units, stratified and seeded, never touching test', () => {
    const m = holdOutValidation(mk(true), { fraction: 0.25, seed: 3 });
    expect(m.meta!.validation).toEqual({ heldOutFrom: 'train', fraction: 0.25, seed: 3, by: 'group' });
    for (const c of ['A', 'B']) {
      const valGroups = new Set(m.samples.filter((s) => s.label === c && s.split === 'val').map((s) => s.group));
      expect(valGroups.size).toBe(2); // round(8 groups * 0.25)
      for (const s of m.samples.filter((x) => x.label === c && valGroups.has(x.group))) expect(s.split).toBe('val');
    }
    expect(m.samples.filter((s) => s.split === 'test')).toEqual(mk(true).samples.filter((s) => s.split === 'test'));
    expect(holdOutValidation(mk(true), { fraction: 0.25, seed: 3 })).toEqual(m);
    expect(holdOutValidation(mk(true), { fraction: 0.25, seed: 4 }).samples.map((s) => s.split)).not.toEqual(m.samples.map((s) => s.split));
  });

  it('holds out single samples when there are no groups', () => {
    const m = holdOutValidation(mk(false), { fraction: 0.25 });
    expect(m.samples.filter((s) => s.split === 'val')).toHaveLength(8); // 16 train per class -> 4 each
    expect(() => holdOutValidation(mk(false), { fraction: 1 })).toThrow(/fraction must be in \(0, 1\)/);
  });
});
