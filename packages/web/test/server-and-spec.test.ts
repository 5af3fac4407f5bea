import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { frameRateOf, parseStudentExport, startWebServer } from '../src';

describe('startWebServer', () => {
  it('serves the page, the model folder and mounts on 127.0.0.1, with byte ranges, and nothing outside them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-web-serve-'));
    const app = path.join(dir, 'app');
    const model = path.join(dir, 'model');
    const media = path.join(dir, 'media dir');
    for (const d of [app, model, media]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(app, 'index.html'), '<p>page</p>');
    fs.writeFileSync(path.join(app, 'app.js'), '1');
    fs.writeFileSync(path.join(model, 'student.json'), '{"a":1}');
    fs.writeFileSync(path.join(media, 'v 1.mp4'), Buffer.from('0123456789'));
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'no');
    const server = await startWebServer({ appDir: app, modelDir: model, mounts: { media } });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const get = (p: string, headers: Record<string, string> = {}, method = 'GET') => fetch(new URL(p, server.url), { headers, method });
      const page = await get('/');
      expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, 'text/html; charset=utf-8', '<p>page</p>']);
      const spec = await get('/model/student.json');
      expect([spec.status, spec.headers.get('content-type'), await spec.text()]).toEqual([200, 'application/json', '{"a":1}']);
      const part = await get('/media/v%201.mp4', { Range: 'bytes=2-5' });
      expect([part.status, part.headers.get('content-range'), part.headers.get('content-type'), await part.text()]).toEqual([
        206,
        'bytes 2-5/10',
        'video/mp4',
        '2345',
      ]);
      const tail = await get('/media/v%201.mp4', { Range: 'bytes=-3' });
      expect([tail.status, await tail.text()]).toEqual([206, '789']);
      expect((await get('/media/v%201.mp4', { Range: 'bytes=20-' })).status).toBe(416);
      for (const p of ['/model/%2e%2e/secret.txt', '/model/..%2fsecret.txt', '/%2e%2e/secret.txt', '/media/../secret.txt', '/nope.js'])
        expect((await get(p)).status).toBe(404);
      expect((await get('/', {}, 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
    expect(() => startWebServer({ appDir: model, modelDir: model })).toThrow(/model: no index\.html \(build the page/);
  });
});

describe('the page helpers that need no browser', () => {
  it('frameRateOf: the smallest step between presented frames, stepping back to the first frame when playback started late', () => {
    expect(frameRateOf([0.125, 0.25, 0.5, 0.625])).toEqual({ fps: 8, start: 0 });
    expect(frameRateOf([0.04, 0.08, 0.12]).fps).toBeCloseTo(25, 9);
    expect(() => frameRateOf([0.5, 0.5])).toThrow(/cannot measure the frame rate: 1 distinct frame/);
  });

  it('parseStudentExport names the file and the field of a bad student.json', () => {
    const good = {
      format: 'ccl-student/1',
      encoder: 'r2plus1d-18',
      options: {},
      weights: 'student.safetensors',
      classes: ['a'],
      clip: { frames: 8, size: 32, stride: 8, mean: [0, 0, 0], std: [1, 1, 1], valueScale: 1 },
    };
    expect(parseStudentExport(good, 's.json')).toBe(good);
    expect(() => parseStudentExport([], 's.json')).toThrow(/^s\.json: format 'undefined' is not 'ccl-student\/1'/);
    expect(() => parseStudentExport({ ...good, weights: '../x' }, 's.json')).toThrow(/^s\.json: "weights" must name a file beside it/);
    expect(() => parseStudentExport({ ...good, classes: [] }, 's.json')).toThrow(/^s\.json: "classes" must be a list of names/);
    expect(() => parseStudentExport({ ...good, clip: { ...good.clip, size: 0 } }, 's.json')).toThrow(/^s\.json: "clip" needs positive integer frames/);
    expect(() => parseStudentExport({ ...good, clip: { ...good.clip, std: [1, 0, 1] } }, 's.json')).toThrow(/^s\.json: "clip" needs 3 means, 3 positive stds/);
  });
});
