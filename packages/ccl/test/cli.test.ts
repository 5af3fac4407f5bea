import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { featureFilePath, readFeaturesFolder } from '@ccl/data/node';
import { closeMediaInfo, generateSyntheticAV } from '@ccl/data/media';
import { readExperimentConfig } from '@ccl/distill';
import { formatBenchSeeds, gitRevision, parseBenchSeeds } from '@ccl/experiments';
import { ccl } from './helpers/run-cli';
import { packageVersion } from '../src/version';

describe('ccl command line', () => {
  it('prints the version of its own package.json (read at run time, not compiled in)', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { name: string; version: string };
    expect(pkg.name).toBe('@ccl/toolkit');
    const r = await ccl('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-version-'));
    fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'x', version: '9.8.7-rc.1' }));
    expect(packageVersion(other)).toBe('9.8.7-rc.1');
    fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'x' }));
    expect(() => packageVersion(other)).toThrow(/no "version"/);
  });

  it('exits 2 with the usage on bad arguments', async () => {
    const unknown = await ccl('trian');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'trian'/);
    expect(unknown.err).toMatch(/Usage: ccl/);
    const badChoice = await ccl('backend', '--backend', 'tpu');
    expect(badChoice.code).toBe(2);
    expect(badChoice.err).toMatch(/Allowed choices are node-gpu, webgpu, node, wasm, cpu/);
    const missing = await ccl('features', 'probe', '--split', 'ucf101:1');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--features <path>' not specified/);
  });

  it('refuses a bad numeric option value while parsing: exit 2, the option named, the usage shown', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-numeric-'));
    const cases: Array<[string[], RegExp]> = [
      [
        ['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--val', 'abc'],
        /option '--val <fraction>' argument 'abc' is invalid\. expected a fraction in \[0, 1\)/,
      ],
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--val', '1.5'], /option '--val <fraction>' argument '1\.5' is invalid/],
      [
        ['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--audio-rate', '32k'],
        /option '--audio-rate <hz>' argument '32k' is invalid\. expected an integer >= 1/,
      ],
      [
        ['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--split', '4'],
        /option '--split <n>' argument '4' is invalid\. expected an integer from 1 to 3/,
      ],
      [['data', 'synth', '--out', dir, '--classes', 'abc'], /option '--classes <n>' argument 'abc' is invalid/],
      [['data', 'synth', '--out', dir, '--seed', '1.5'], /option '--seed <n>' argument '1\.5' is invalid\. expected an integer/],
      [
        ['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--frames', '0'],
        /option '--frames <n>' argument '0' is invalid\. expected an integer >= 1/,
      ],
      [
        ['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--segment-seconds', '-2'],
        /option '--segment-seconds <s>' argument '-2' is invalid\. expected a number > 0/,
      ],
      [['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--shard', '2/2'], /option '--shard <i\/N>' argument '2\/2' is invalid/],
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--shard', '1/1'], /option '--shard <i\/N>' argument '1\/1' is invalid/],
      [['worker', '--queue', 'redis://h:1', '--concurrency', '0'], /option '--concurrency <n>' argument '0' is invalid/],
      [['demo', '--epochs', 'ten'], /option '--epochs <n>' argument 'ten' is invalid/],
      [['bench', 'synthetic', '--seeds', '0'], /option '--seeds <n\|a-b\|list>' argument '0' is invalid/],
      [['bench', 'synthetic', '--seeds', '3-2'], /argument '3-2' is invalid\. .*the range runs backwards/],
      [['bench', 'synthetic', '--seeds', '2,2'], /argument '2,2' is invalid\. .*a seed listed twice/],
      [['bench', 'synthetic', '--seeds', '1,x'], /argument '1,x' is invalid\. expected a count N/],
    ];
    for (const [args, message] of cases) {
      const r = await ccl(...args);
      expect({ args, code: r.code, named: message.test(r.err), usage: /Usage: ccl/.test(r.err) }).toEqual({ args, code: 2, named: true, usage: true });
    }
    expect(fs.readdirSync(dir)).toEqual([]); // nothing ran
  });

  it('--seeds: a count, a range or a list; what a worker is given reads back as the same seeds', () => {
    expect([parseBenchSeeds('3'), parseBenchSeeds('4-6'), parseBenchSeeds('2,5'), parseBenchSeeds('4-4'), parseBenchSeeds(' 7 ')]).toEqual([
      3,
      [4, 5, 6],
      [2, 5],
      [4],
      7,
    ]);
    for (const seeds of [3, [4], [2, 5], [1, 2, 3]]) expect(parseBenchSeeds(formatBenchSeeds(seeds))).toEqual(seeds);
  });

  it('queue options: a bad address or both ways of spreading the work are refused in one line; an unreachable Redis is named', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-cli-queue-'));
    try {
      const bad = await ccl('data', 'prepare', '--dataset', 'folder', '--root', root, '--out', root, '--queue', 'http://h:1');
      expect({ code: bad.code, err: bad.err.trim() }).toEqual({
        code: 1,
        err: "ccl: --queue 'http://h:1': protocol 'http:' is not redis: (expected redis://HOST:PORT[/DB])",
      });
      const both = await ccl('data', 'prepare', '--dataset', 'folder', '--root', root, '--out', root, '--queue', 'redis://h:1', '--shard', '0/2');
      expect(both.err).toMatch(/--queue and --shard are two ways to spread the work: give one/);
      const down = await ccl('queue', 'status', '--queue', 'redis://127.0.0.1:1/0');
      expect(down.code).toBe(1);
      expect(down.err).toMatch(/redis:\/\/127\.0\.0\.1:1\/0: cannot reach Redis \(connect ECONNREFUSED/);
      expect(fs.readdirSync(root)).toEqual([]);
      const noAllow = await ccl('worker', '--queue', 'redis://h:1');
      expect([noAllow.code, noAllow.err]).toEqual([2, expect.stringMatching(/required option '--allow <dir>' not specified/)]);
      const badAllow = await ccl('worker', '--queue', 'redis://127.0.0.1:1', '--allow', root, '--allow', path.join(root, 'nope'));
      expect([badAllow.code, badAllow.err.trim()]).toEqual([1, `ccl: --allow ${path.join(root, 'nope')}: no such folder`]); // before connecting
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('never prints a Redis password: bad address, unreachable server, the hint of data prepare --queue', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-cli-password-'));
    try {
      for (const c of ['a', 'b']) {
        fs.mkdirSync(path.join(root, 'videos', c), { recursive: true });
        for (const v of ['1', '2']) fs.writeFileSync(path.join(root, 'videos', c, `${v}.mp4`), 'x');
      }
      const bad = await ccl('data', 'prepare', '--dataset', 'folder', '--root', root, '--out', root, '--queue', 'redis://:s3cret@h:1/db');
      expect(bad.err.trim()).toBe("ccl: --queue 'redis://:***@h:1/db': database 'db' is not a number (expected redis://HOST:PORT[/DB])");
      const down = await ccl('queue', 'status', '--queue', 'redis://user:s3cret@127.0.0.1:1/0');
      expect(down.err).toMatch(/^ccl: redis:\/\/user:\*\*\*@127\.0\.0\.1:1\/0: cannot reach Redis \(connect ECONNREFUSED/);
      const url = 'redis://:s3cret@127.0.0.1:1/0';
      const prepare = await ccl('data', 'prepare', '--dataset', 'folder', '--root', path.join(root, 'videos'), '--out', path.join(root, 'out'), '--queue', url);
      expect(prepare.code).toBe(1);
      expect(prepare.err).toContain(
        'queue redis://:***@127.0.0.1:1/0: 4 jobs; start `ccl worker --queue redis://:***@127.0.0.1:1/0 --allow DIR` on any machines',
      );
      expect(prepare.err).toContain('ccl: redis://:***@127.0.0.1:1/0: cannot reach Redis');
      for (const r of [bad, down, prepare]) expect(r.out + r.err).not.toContain('s3cret');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('names a missing file and exits 1', async () => {
    const r = await ccl('features', 'probe', '--features', '/nonexistent/feats', '--split', 'ucf101:1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\/nonexistent\/feats: not found/);
    const p = await ccl('data', 'probe', path.join(os.tmpdir(), 'no-such-video.mp4'));
    expect(p.code).toBe(1);
    expect(p.out).toMatch(/no-such-video\.mp4.*cannot read media file/);
    expect(p.err).toMatch(/1 of 1 file\(s\) could not be probed/);
  });

  it('bench merge: a missing part is named in one line, exit 1, and no merged file is written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-cli-merge-'));
    try {
      const r = await ccl('bench', 'merge', path.join(dir, 'a.json'), path.join(dir, 'b.json'), '--out', path.join(dir, 'merged.json'));
      expect({ code: r.code, err: r.err.trim() }).toEqual({ code: 1, err: `ccl: ${path.join(dir, 'a.json')}: cannot read it (ENOENT)` });
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the backend as JSON', async () => {
    const r = await ccl('backend', '--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    // (jest routes tfjs's console.warn banner through stdout too: parse from the JSON's first line)
    expect(JSON.parse(r.out.slice(r.out.indexOf('{\n')))).toMatchObject({ name: 'cpu', reason: 'forced by --backend' });
  });

  it('probes a corrupt file with a clear error per file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-cli-'));
    const bad = path.join(dir, 'random.mp4');
    fs.writeFileSync(bad, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const r = await ccl('data', 'probe', bad, '--json');
    const [entry] = JSON.parse(r.out.slice(r.out.indexOf('[\n')));
    expect(entry.file).toBe(bad);
    expect(entry.error).toMatch(/random\.mp4/);
  });

  it('data prepare: folder-per-class videos -> manifest (with held-out split), clip cache, report; a rerun resumes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-prepare-cli-'));
    await generateSyntheticAV({
      outDir: path.join(dir, 'synth'),
      numClasses: 2,
      videosPerClass: 4,
      width: 32,
      height: 24,
      frames: 8,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    fs.writeFileSync(
      path.join(
        dir,
        'synth',
        'videos',
        Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'synth', 'manifest.json'), 'utf8')).meta.correspondence)[0],
        'broken.mp4',
      ),
      'not a video',
    );
    const out = path.join(dir, 'prepared');
    const args = [
      'data',
      'prepare',
      '--dataset',
      'folder',
      '--root',
      path.join(dir, 'synth', 'videos'),
      '--out',
      out,
      '--short-side',
      '0',
      '--val',
      '0.25',
      '--audio-rate',
      '16000',
    ];
    const first = await ccl(...args);
    expect(first.code).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.samples).toHaveLength(8); // the broken video is left out of what train reads...
    expect(manifest.samples.some((x: { id: string }) => x.id.includes('broken'))).toBe(false);
    expect(manifest.samples.some((x: { split: string }) => x.split === 'val')).toBe(true);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'cache', 'prepare-report.json'), 'utf8'));
    expect(report.skipped.map((x: { id: string }) => x.id)).toEqual([expect.stringContaining('broken')]); // ...and listed here
    expect(first.out).toMatch(/8 decoded, 0 already cached, 1 skipped/);
    const again = await ccl(...args);
    expect(again.out).toMatch(/0 decoded, 8 already cached, 1 skipped/);
    const manifestBytes = fs.readFileSync(path.join(out, 'manifest.json'));

    // a second prepare into the same folder (its lock held by a live process) is refused
    const lockFile = path.join(out, '.ccl.lock');
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: os.hostname(), what: 'ccl data prepare', since: new Date().toISOString() }));
    const locked = await ccl(...args);
    fs.rmSync(lockFile);
    expect(locked.code).toBe(1);
    expect(locked.err).toMatch(`ccl: ${out}: in use by ccl data prepare (pid ${process.ppid}`);

    // an error of the machine, not of a video (here: ffmpeg missing), exits 1 naming it; manifest.json stays as it was
    const clips = path.join(out, 'cache', 'clips');
    fs.rmSync(
      path.join(
        clips,
        fs.readdirSync(clips).find((f) => f.endsWith('.clip'))!,
      ),
    );
    process.env.CCL_FFMPEG = path.join(dir, 'no-ffmpeg');
    const noFfmpeg = await ccl(...args).finally(() => delete process.env.CCL_FFMPEG);
    expect(noFfmpeg.code).toBe(1);
    expect(noFfmpeg.err).toMatch(`ffmpeg not found at ${path.join(dir, 'no-ffmpeg')}`);
    expect(noFfmpeg.err.trim().split('\n').pop()).toMatch(/^ccl: \S+\.mp4: cannot decode the video: ffmpeg not found/);
    expect(fs.readFileSync(path.join(out, 'manifest.json'))).toEqual(manifestBytes);
    expect((await ccl(...args)).out).toMatch(/1 decoded, 7 already cached, 1 skipped/);
    expect((await ccl('data', 'prepare', '--dataset', 'kinetics', '--root', dir, '--out', out)).err).toMatch(/unknown dataset 'kinetics'/);
    await closeMediaInfo();

    // features extract: an audio teacher (whole track -> [D]) in two shards, an image teacher (frames -> [F, D])
    const cnn = JSON.stringify({ widthMultiplier: 1 / 16, sampleRate: 16000, windowSize: 512, hopSize: 160, fMax: 8000 });
    const audioOut = path.join(dir, 'features-audio');
    for (const shard of ['0/2', '1/2']) {
      const r = await ccl(
        'features',
        'extract',
        '--teacher',
        'cnn14',
        '--options',
        cnn,
        '--data',
        out,
        '--out',
        audioOut,
        '--shard',
        shard,
        '--backend',
        'cpu',
      );
      expect({ code: r.code, err: r.code ? r.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
    }
    const npy = (f: string) => {
      const b = fs.readFileSync(f);
      const header = b.toString('latin1', 10, 10 + b.readUInt16LE(8));
      return header.match(/'shape': \(([^)]*)\)/)![1];
    };
    const good = manifest.samples.filter((x: { id: string }) => !x.id.includes('broken'));
    for (const x of good) expect(npy(featureFilePath(audioOut, x.label, x.id))).toBe('32,');
    // folder ids are '<class>/<stem>': one file per id directly in its class folder, read back under the same id
    expect(fs.readdirSync(path.join(audioOut, good[0].label)).every((f) => f.endsWith('.npy'))).toBe(true);
    const audioSet = readFeaturesFolder(audioOut, { dim: 32 });
    expect(good.filter((x: { id: string }) => !audioSet.features.has(x.id))).toEqual([]);
    const imageOut = path.join(dir, 'features-image');
    const img = await ccl(
      'features',
      'extract',
      '--teacher',
      'resnet18',
      '--options',
      JSON.stringify({ widthMultiplier: 1 / 16 }),
      '--data',
      out,
      '--out',
      imageOut,
      '--frames',
      '2',
      '--size',
      '32',
      '--backend',
      'cpu',
    );
    expect(img.out).toMatch(/8 written, 0 already there/);
    expect(npy(featureFilePath(imageOut, good[0].label, good[0].id))).toBe('2, 32');
    expect((await ccl('features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', audioOut)).err).toMatch(/manifest\.json: not found/);

    // train on the extracted features: minCoverage 1 fails unless every training video finds its feature
    // (the video that prepare could not decode is left out: it has no clip to train on)
    fs.writeFileSync(path.join(out, 'decoded.json'), JSON.stringify({ ...manifest, samples: good }));
    const config = path.join(dir, 'folder-ccl.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        method: 'ccl',
        epochs: 1,
        batchSize: 4,
        student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16 } },
        teachers: [{ name: 'audio', modality: 'audio', dim: 32, features: 'features-audio', minCoverage: 1 }],
        data: { manifest: 'prepared/decoded.json', cacheDir: 'prepared/cache', frames: 4, size: 16 },
      }),
    );
    const trained = await ccl('train', '--config', config, '--out', path.join(dir, 'run'), '--backend', 'cpu');
    expect({ code: trained.code, err: trained.code ? trained.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
    expect(trained.err).not.toMatch(/warning/);
    // the progress bar (stderr is no terminal here: a plain line per tenth) and the code's revision in run.json
    expect(trained.err).toMatch(/^epoch 1\/1 (\d+)\/\1 \(100%\) [\d.]+ clips\/s ETA \S+ loss \d+\.\d{4} ce \d+\.\d{4}$/m);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'run', 'run.json'), 'utf8')).gitRevision).toBe(gitRevision());
    expect(fs.readFileSync(path.join(dir, 'run', 'steps.jsonl'), 'utf8')).toMatch(/"audio\./);
    const outside = await ccl('eval', '--run', path.join(dir, 'run'), '--checkpoint', '../../run.json', '--backend', 'cpu');
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/\.\.\/\.\.\/run\.json: resolves to .*, which is not inside .*checkpoints/);
  });

  it("features extract keeps a manifest's hostile id inside --out (it wrote '../../../../escaped.npy' outside)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-escape-cli-'));
    const gen = await generateSyntheticAV({
      outDir: path.join(dir, 'synth'),
      numClasses: 2,
      videosPerClass: 1,
      width: 32,
      height: 24,
      frames: 4,
      imagesPerAppearance: 0,
      clipsPerSound: 0,
    });
    const [sample] = gen.manifest.samples;
    const label = sample!.label;
    const annotations = path.join(dir, 'm.json');
    fs.writeFileSync(
      annotations,
      JSON.stringify({ ...gen.manifest, root: path.join(dir, 'synth'), samples: [{ ...sample, id: '../../../../escaped', split: 'train' }] }),
    );
    const out = path.join(dir, 'out');
    const prepared = await ccl(
      'data',
      'prepare',
      '--dataset',
      'manifest',
      '--annotations',
      annotations,
      '--root',
      path.join(dir, 'synth'),
      '--out',
      out,
      '--val',
      '0',
      '--audio-rate',
      '16000',
      '--short-side',
      '0',
    );
    await closeMediaInfo();
    expect({ code: prepared.code, err: prepared.code ? prepared.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
    // deep enough that the old code's escape lands in this test's folder: feat/<class>/../../../.. = a/b
    const feat = path.join(dir, 'a', 'b', 'c', 'd', 'feat');
    const cnn = JSON.stringify({ widthMultiplier: 1 / 16, sampleRate: 16000, windowSize: 512, hopSize: 160, fMax: 8000 });
    const r = await ccl('features', 'extract', '--teacher', 'cnn14', '--options', cnn, '--data', out, '--out', feat, '--backend', 'cpu');
    expect({ code: r.code, err: r.code ? r.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/1 written/);
    expect(fs.existsSync(path.join(dir, 'a', 'b', 'escaped.npy'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'a', 'b'))).toEqual(['c']);
    expect(fs.readdirSync(path.join(feat, label))).toEqual(['%2e.%2f..%2f..%2f..%2fescaped.npy']);
    expect([...readFeaturesFolder(feat).features.keys()]).toEqual(['../../../../escaped']);
    expect(fs.readdirSync(path.join(out, 'cache', 'clips'))).toEqual(['%2e.%2f..%2f..%2f..%2fescaped.clip']);
  });

  it('train into a folder holding a run: refused before any data is read, nothing changed; --force passes that check', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-train-cli-'));
    const configFile = path.join(dir, 'experiment.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        method: 'baseline',
        epochs: 2,
        student: { encoder: 'r2plus1d-18' },
        data: { manifest: 'missing/manifest.json', cacheDir: 'cache', frames: 4, size: 16 },
      }),
    );
    const run = path.join(dir, 'run');
    fs.mkdirSync(path.join(run, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(run, 'checkpoints', 'latest.ckpt'), 'old checkpoint');
    fs.writeFileSync(path.join(run, 'steps.jsonl'), '{"globalStep":1}\n');
    fs.writeFileSync(
      path.join(run, 'run.json'),
      `${JSON.stringify({ config: { ...readExperimentConfig(configFile), epochs: 3 }, architecture: 'r2plus1d', startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T01:00:00.000Z' })}\n`,
    );
    const files = () => ['checkpoints/latest.ckpt', 'steps.jsonl', 'run.json'].map((f) => fs.readFileSync(path.join(run, f), 'utf8'));
    const before = files();
    const train = (...flags: string[]) => ccl('train', '--config', configFile, '--out', run, '--backend', 'cpu', ...flags);

    const plain = await train();
    expect(plain.code).toBe(1);
    expect(plain.err).toContain(`ccl: ${run}: already holds a finished run (checkpoints, steps.jsonl, run.json); resume it (--resume) or replace it (--force)`);
    const changed = await train('--resume');
    expect(changed.code).toBe(1);
    expect(changed.err).toContain(`ccl: ${run}: the config differs from the run's in epochs; resume with the run's config, or pass --allow-config-change`);
    expect((await train('--resume', '--force')).err).toMatch(/exclude each other/);
    // --force and --resume --allow-config-change pass the run-folder check: they fail later, at the missing manifest
    for (const flags of [['--force'], ['--resume', '--allow-config-change']]) {
      const r = await train(...flags);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/missing\/manifest\.json/);
    }
    expect(files()).toEqual(before);

    // a folder that holds no run but a user's files: refused, --force too, before any data is read; nothing touched
    const theirs = path.join(dir, 'theirs');
    for (const f of [path.join('backup.tmp', 'data.bin'), path.join('eval', 'evaluate.py'), path.join('checkpoints', 'model.pt')]) {
      fs.mkdirSync(path.dirname(path.join(theirs, f)), { recursive: true });
      fs.writeFileSync(path.join(theirs, f), 'mine');
    }
    for (const flags of [[], ['--force']]) {
      const r = await ccl('train', '--config', configFile, '--out', theirs, '--backend', 'cpu', ...flags);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`ccl: ${theirs}: is not empty and holds no ccl run (no run.json of ccl train): backup.tmp/, checkpoints/, eval/; `);
    }
    for (const f of [path.join('backup.tmp', 'data.bin'), path.join('eval', 'evaluate.py'), path.join('checkpoints', 'model.pt')]) {
      expect(fs.readFileSync(path.join(theirs, f), 'utf8')).toBe('mine');
    }
  });
});
