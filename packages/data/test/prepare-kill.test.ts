import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Manifest } from '../src';
import { closeMediaInfo, generateSyntheticAV, prepareClipCache } from '../src/media';

/**
 * `prepare` over ~100 synthetic videos, SIGKILLed mid-way in a child process, then resumed: the final cache
 * equals the cache of an uninterrupted run, byte for byte, and no partial entry survives.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-prepare-kill-'));
let manifest: Manifest;

function clipFiles(cacheDir: string): Map<string, Buffer> {
  const clips = path.join(cacheDir, 'clips');
  return new Map(
    fs
      .readdirSync(clips)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(clips, f))]),
  );
}

beforeAll(async () => {
  const gen = await generateSyntheticAV({
    outDir: path.join(dir, 'synth'),
    seed: 5,
    numClasses: 4,
    videosPerClass: 25,
    width: 32,
    height: 24,
    frames: 10,
    fps: 10,
    imagesPerAppearance: 0,
    clipsPerSound: 0,
    concurrency: 2,
  });
  manifest = gen.manifest;
});

afterAll(async () => {
  await closeMediaInfo();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prepareClipCache killed with SIGKILL', () => {
  it('resumes to exactly the cache of an uninterrupted run', async () => {
    expect(manifest.samples).toHaveLength(100);
    const reference = path.join(dir, 'cache-reference');
    const full = await prepareClipCache({ manifest, cacheDir: reference, shortSide: null, audioSampleRate: 8000, concurrency: 2 });
    expect(full.prepared).toBe(100);

    // The child runs the package's sources, bundled the way the published build is made.
    const bundle = path.join(__dirname, '..', '.test-build', 'ccl-data-kill.cjs');
    const esbuild = require('esbuild') as { buildSync: (o: Record<string, unknown>) => unknown };
    esbuild.buildSync({
      entryPoints: [path.join(__dirname, '..', 'src', 'media.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: bundle,
      external: ['@tensorflow/tfjs-core', 'mediainfo.js', '@ffmpeg-installer/ffmpeg'],
      logLevel: 'silent',
    });
    const manifestFile = path.join(dir, 'manifest.json');
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const killed = path.join(dir, 'cache-killed');
    const script = [
      `const data = require(${JSON.stringify(bundle)});`,
      `const manifest = JSON.parse(require('fs').readFileSync(${JSON.stringify(manifestFile)}, 'utf8'));`,
      `data.prepareClipCache({ manifest, cacheDir: ${JSON.stringify(killed)}, shortSide: null, audioSampleRate: 8000, concurrency: 2,`,
      `  onProgress: (e) => process.stdout.write('done ' + e.done + '\\n') });`,
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let progressed = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const last = chunk.toString().trim().split('\n').pop()!;
        progressed = Number(last.replace('done ', ''));
        if (progressed >= 30 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(child.signalCode).toBe('SIGKILL');
    expect(progressed).toBeLessThan(100);
    const before = fs.readdirSync(path.join(killed, 'clips')).filter((f) => !f.endsWith('.tmp')).length;
    expect(before).toBeGreaterThanOrEqual(30);
    expect(before).toBeLessThan(100);

    const resumed = await prepareClipCache({ manifest, cacheDir: killed, shortSide: null, audioSampleRate: 8000, concurrency: 2 });
    expect(resumed.alreadyCached + resumed.prepared).toBe(100);
    expect(resumed.alreadyCached).toBe(before);
    const a = clipFiles(reference);
    const b = clipFiles(killed); // stale temporary files of the killed run are gone too
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [f, bytes] of a) expect(Buffer.compare(bytes, b.get(f)!)).toBe(0);
  });
});
