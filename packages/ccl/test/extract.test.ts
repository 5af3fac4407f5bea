import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeManifest } from '@ccl/data';
import { clipPath, readNpy, writeClipFile, writeManifest } from '@ccl/data/node';
import { ccl } from './helpers/run-cli';

/** A prepared dataset without ffmpeg: a manifest and two cached clips (random frames, 1 s of audio at `audioRate`). */
function preparedData(audioRate: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-extract-'));
  const samples = [
    { id: 'v_a_1', label: 'a', split: 'train' as const },
    { id: 'v_b_1', label: 'b', split: 'test' as const },
  ];
  writeManifest(path.join(dir, 'manifest.json'), makeManifest({ dataset: 'folder', samples }));
  samples.forEach((s, k) => {
    const [t, h, w, c] = [4, 40, 48, 3];
    const frames = Uint8Array.from({ length: t * h * w * c }, (_, i) => (i * 37 + k * 101) % 256); // [T, H, W, C]
    const audio = Float32Array.from({ length: audioRate }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / audioRate) * 0.5); // [L]
    writeClipFile(
      clipPath(path.join(dir, 'cache'), s.id),
      { id: s.id, t, h, w, c, fps: 4, audio: { sampleRate: audioRate, samples: audio.length } },
      frames,
      audio,
    );
  });
  return dir;
}

describe('ccl features extract: each teacher gets its own input convention', () => {
  it('resnet: frames are normalised with ImageNet mean/std by default, the same features as normalize: imagenet', async () => {
    const data = preparedData(16000);
    const run = async (options: object, out: string) => {
      const r = await ccl(
        'features',
        'extract',
        '--teacher',
        'resnet18',
        '--options',
        JSON.stringify({ widthMultiplier: 1 / 16, seed: 3, ...options }),
        '--data',
        data,
        '--out',
        path.join(data, out),
        '--frames',
        '2',
        '--size',
        '32',
        '--backend',
        'cpu',
      );
      expect({ code: r.code, err: r.code ? r.err.slice(-400) : '' }).toEqual({ code: 0, err: '' });
      return readNpy(path.join(data, out, 'a', 'v_a_1.npy'));
    };
    const byDefault = await run({}, 'default');
    const explicit = await run({ normalize: 'imagenet' }, 'explicit');
    expect(byDefault.shape).toEqual([2, 32]);
    expect(Array.from(byDefault.data)).toEqual(Array.from(explicit.data));
    const said = await ccl(
      'features',
      'extract',
      '--teacher',
      'resnet18',
      '--options',
      JSON.stringify({ widthMultiplier: 1 / 16 }),
      '--data',
      data,
      '--out',
      path.join(data, 'default'),
      '--backend',
      'cpu',
    );
    expect(said.err).toMatch(/resnet18 input: RGB in \[0, 1\] normalised with ImageNet mean\/std/);
  });

  it('refuses an unknown --options key, naming it and the known keys, before writing anything', async () => {
    const data = preparedData(16000);
    const out = path.join(data, 'typo');
    const r = await ccl(
      'features',
      'extract',
      '--teacher',
      'resnet34',
      '--options',
      '{"widthMultipler":0.5}',
      '--data',
      data,
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/encoder 'resnet34': unknown option 'widthMultipler' \(known: .*widthMultiplier/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('states the teachers input conventions in --help', async () => {
    const r = await ccl('features', 'extract', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ImageNet mean\/std/);
    expect(r.out).toMatch(/32 kHz/);
  });

  it('audio: a cache at another sample rate than the encoder is refused, naming the file, both rates and the fix', async () => {
    const data = preparedData(16000);
    const out = path.join(data, 'audio');
    const cnn14 = { widthMultiplier: 1 / 16, windowSize: 512, hopSize: 160, fMax: 8000 }; // sampleRate: the default 32000
    const r = await ccl('features', 'extract', '--teacher', 'cnn14', '--options', JSON.stringify(cnn14), '--data', data, '--out', out, '--backend', 'cpu');
    expect(r.code).toBe(1);
    const line = r.err.trim().split('\n').pop();
    expect(line).toMatch(/v_a_1\.clip: cached audio is at 16000 Hz, cnn14 expects 32000 Hz; re-run ccl data prepare with --audio-rate 32000/);
    expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
    const same = await ccl(
      'features',
      'extract',
      '--teacher',
      'cnn14',
      '--options',
      JSON.stringify({ ...cnn14, sampleRate: 16000 }),
      '--data',
      data,
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(same.out).toMatch(/2 written/);
  });
});
