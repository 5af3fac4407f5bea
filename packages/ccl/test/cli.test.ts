import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeMediaInfo, generateSyntheticAV } from '@ccl/data';
import { ccl } from './helpers/run-cli';

describe('ccl command line', () => {
  it('exits 2 with the usage on bad arguments', async () => {
    const unknown = await ccl('trian');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'trian'/);
    expect(unknown.err).toMatch(/Usage: ccl/);
    const badChoice = await ccl('backend', '--backend', 'tpu');
    expect(badChoice.code).toBe(2);
    expect(badChoice.err).toMatch(/Allowed choices are node-gpu, node, wasm, cpu/);
    const missing = await ccl('features', 'probe', '--split', 'ucf101:1');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--features <path>' not specified/);
  });

  it('refuses a bad numeric option value while parsing: exit 2, the option named, the usage shown', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-numeric-'));
    const cases: Array<[string[], RegExp]> = [
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--val', 'abc'], /option '--val <fraction>' argument 'abc' is invalid\. expected a fraction in \[0, 1\)/],
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--val', '1.5'], /option '--val <fraction>' argument '1\.5' is invalid/],
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--audio-rate', '32k'], /option '--audio-rate <hz>' argument '32k' is invalid\. expected an integer >= 1/],
      [['data', 'prepare', '--dataset', 'folder', '--root', dir, '--out', dir, '--split', '4'], /option '--split <n>' argument '4' is invalid\. expected an integer from 1 to 3/],
      [['data', 'synth', '--out', dir, '--classes', 'abc'], /option '--classes <n>' argument 'abc' is invalid/],
      [['data', 'synth', '--out', dir, '--seed', '1.5'], /option '--seed <n>' argument '1\.5' is invalid\. expected an integer/],
      [['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--frames', '0'], /option '--frames <n>' argument '0' is invalid\. expected an integer >= 1/],
      [['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--segment-seconds', '-2'], /option '--segment-seconds <s>' argument '-2' is invalid\. expected a number > 0/],
      [['features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', dir, '--shard', '2/2'], /option '--shard <i\/N>' argument '2\/2' is invalid/],
      [['demo', '--epochs', 'ten'], /option '--epochs <n>' argument 'ten' is invalid/],
      [['bench', 'synthetic', '--seeds', '0'], /option '--seeds <n>' argument '0' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = await ccl(...args);
      expect({ args, code: r.code, named: message.test(r.err), usage: /Usage: ccl/.test(r.err) }).toEqual({ args, code: 2, named: true, usage: true });
    }
    expect(fs.readdirSync(dir)).toEqual([]); // nothing ran
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
    await generateSyntheticAV({ outDir: path.join(dir, 'synth'), numClasses: 2, videosPerClass: 4, width: 32, height: 24, frames: 8, imagesPerAppearance: 0, clipsPerSound: 0 });
    fs.writeFileSync(path.join(dir, 'synth', 'videos', Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'synth', 'manifest.json'), 'utf8')).meta.correspondence)[0], 'broken.mp4'), 'not a video');
    const out = path.join(dir, 'prepared');
    const args = ['data', 'prepare', '--dataset', 'folder', '--root', path.join(dir, 'synth', 'videos'), '--out', out, '--short-side', '0', '--val', '0.25', '--audio-rate', '16000'];
    const first = await ccl(...args);
    expect(first.code).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.samples).toHaveLength(9);
    expect(manifest.samples.some((x: { split: string }) => x.split === 'val')).toBe(true);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'cache', 'prepare-report.json'), 'utf8'));
    expect(report.skipped.map((x: { id: string }) => x.id)).toEqual([expect.stringContaining('broken')]);
    expect(first.out).toMatch(/8 decoded, 0 already cached, 1 skipped/);
    const again = await ccl(...args);
    expect(again.out).toMatch(/0 decoded, 8 already cached, 1 skipped/);
    expect((await ccl('data', 'prepare', '--dataset', 'kinetics', '--root', dir, '--out', out)).err).toMatch(/unknown dataset 'kinetics'/);
    await closeMediaInfo();

    // features extract: an audio teacher (whole track -> [D]) in two shards, an image teacher (frames -> [F, D])
    const cnn = JSON.stringify({ widthMultiplier: 1 / 16, sampleRate: 16000, windowSize: 512, hopSize: 160, fMax: 8000 });
    const audioOut = path.join(dir, 'features-audio');
    for (const shard of ['0/2', '1/2']) {
      const r = await ccl('features', 'extract', '--teacher', 'cnn14', '--options', cnn, '--data', out, '--out', audioOut, '--shard', shard, '--backend', 'cpu');
      expect({ code: r.code, err: r.code ? r.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
    }
    const npy = (f: string) => { const b = fs.readFileSync(f); const header = b.toString('latin1', 10, 10 + b.readUInt16LE(8)); return header.match(/'shape': \(([^)]*)\)/)![1]; };
    const good = manifest.samples.filter((x: { id: string }) => !x.id.includes('broken'));
    for (const x of good) expect(npy(path.join(audioOut, x.label, `${x.id}.npy`))).toBe('32,');
    const imageOut = path.join(dir, 'features-image');
    const img = await ccl('features', 'extract', '--teacher', 'resnet18', '--options', JSON.stringify({ widthMultiplier: 1 / 16 }), '--data', out, '--out', imageOut, '--frames', '2', '--size', '32', '--backend', 'cpu');
    expect(img.out).toMatch(/8 written, 0 already there/);
    expect(npy(path.join(imageOut, good[0].label, `${good[0].id}.npy`))).toBe('2, 32');
    expect((await ccl('features', 'extract', '--teacher', 'cnn14', '--data', dir, '--out', audioOut)).err).toMatch(/manifest\.json: not found/);
  });
});
