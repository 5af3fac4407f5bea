import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleForNode } from '../../../tools/system/node-bundle';
import { startWebServer, type WebServer } from '../src';

/**
 * What the web app's server sends, on a real listening server: only regular files whose real path is
 * inside the served folders, only to requests that name this server, and an I/O error does not kill it.
 */
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-web-security-')));
const app = path.join(dir, 'app');
const model = path.join(dir, 'model');
const secrets = path.join(dir, 'secrets');
let server: WebServer;

/** A request with a chosen Host header (fetch() does not let a test set it). */
function request(url: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(p, url), { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  for (const d of [app, model, secrets]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(app, 'index.html'), '<p>page</p>');
  fs.writeFileSync(path.join(app, 'app.js'), '1');
  fs.writeFileSync(path.join(model, 'student.json'), '{"a":1}');
  fs.writeFileSync(path.join(secrets, 'key'), 'secret');
  fs.symlinkSync('/etc/passwd', path.join(model, 'passwd'));
  fs.symlinkSync(secrets, path.join(model, 'linked-dir'));
  fs.symlinkSync(path.join(secrets, 'key'), path.join(app, 'key.js'));
  fs.symlinkSync(path.join(model, 'student.json'), path.join(model, 'alias.json')); // a link that stays inside
  fs.symlinkSync(path.join(model, 'loop'), path.join(model, 'loop'));
  server = await startWebServer({ appDir: app, modelDir: model });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('startWebServer: symbolic links', () => {
  it('a link out of a served folder (to a file or a folder) is answered 404, as a missing file; a link inside is served', async () => {
    for (const p of ['/model/passwd', '/model/linked-dir/key', '/key.js', '/model/loop'])
      expect({ p, ...(await request(server.url, p)) }).toEqual({ p, status: 404, body: `not found: ${p}\n` });
    expect(await request(server.url, '/model/alias.json')).toEqual({ status: 200, body: '{"a":1}' });
  });
});

describe('startWebServer: the Host header (DNS rebinding)', () => {
  it('answers requests naming it (localhost, an IP address) and refuses any other name with 403', async () => {
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'LOCALHOST', `[::1]:${port}`])
      expect({ host, ...(await request(server.url, '/model/student.json', { Host: host })) }).toEqual({ host, status: 200, body: '{"a":1}' });
    for (const host of [`evil.example:${port}`, 'localhost.evil.example', 'rebind.127.0.0.1.nip.io'])
      expect({ host, ...(await request(server.url, '/model/student.json', { Host: host })) }).toEqual({
        host,
        status: 403,
        body: `host ${JSON.stringify(host)} is not this server's (DNS rebinding protection)\n`,
      });
  });

  it('answers the names it was given (allowedHosts, its host)', async () => {
    const named = await startWebServer({ appDir: app, modelDir: model, allowedHosts: ['workstation.lan'] });
    try {
      expect((await request(named.url, '/', { Host: 'workstation.lan:8080' })).status).toBe(200);
      expect((await request(named.url, '/', { Host: 'other.lan' })).status).toBe(403);
    } finally {
      await named.close();
    }
  });
});

describe('startWebServer: an unreadable file', () => {
  it('is answered 500 and the server (its own process) keeps serving', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-web-eacces-'));
    try {
      const script = path.join(work, 'server.cjs');
      await bundleForNode(path.join(__dirname, 'helpers', 'server-main.ts'), script);
      fs.cpSync(app, path.join(work, 'app'), { recursive: true });
      fs.mkdirSync(path.join(work, 'model'));
      fs.writeFileSync(path.join(work, 'model', 'student.json'), '{"a":1}');
      fs.writeFileSync(path.join(work, 'model', 'locked.bin'), 'x');
      fs.chmodSync(path.join(work, 'model', 'locked.bin'), 0o000);
      fs.chmodSync(work, 0o755);
      // root reads any file: the server runs as nobody then (as a user, the file's mode is enough)
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const child = spawn(process.execPath, [script, path.join(work, 'app'), path.join(work, 'model')], { stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url));
          child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
        });
        expect(await request(url, '/model/locked.bin')).toEqual({ status: 500, body: 'cannot read /model/locked.bin (EACCES)\n' });
        expect(await request(url, '/model/locked.bin', { Range: 'bytes=0-0' })).toMatchObject({ status: 500 });
        expect(await request(url, '/model/student.json')).toEqual({ status: 200, body: '{"a":1}' });
        expect([child.exitCode, child.signalCode, stderr]).toEqual([null, null, '']);
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
