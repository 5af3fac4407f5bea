import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.mov': 'video/quicktime',
};

export interface WebServerOptions {
  /** The bundled page (index.html, app.js): `dist/app` of @ccl/web. */
  appDir: string;
  /** Folder written by `ccl export`, served at /model/. */
  modelDir: string;
  /** More folders by URL prefix, e.g. { media: '/data/videos' } serves /media/... */
  mounts?: Record<string, string>;
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** The file a URL path names inside `root`, or null when it leaves it. */
function inside(root: string, rel: string): string | null {
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function send(res: http.ServerResponse, req: http.IncomingMessage, file: string): void {
  const size = fs.statSync(file).size;
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  // <video> seeks with Range requests
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
}

/**
 * Serves the web app on 127.0.0.1 (a free port unless given): the page at /, the exported student at
 * /model/, each mount at /<name>/. GET and HEAD only, byte ranges supported, nothing outside the folders.
 */
export function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const roots: [string, string][] = [
    ['model', path.resolve(options.modelDir)],
    ...Object.entries(options.mounts ?? {}).map(([k, v]) => [k, path.resolve(v)] as [string, string]),
  ];
  const appDir = path.resolve(options.appDir);
  for (const need of ['index.html', 'app.js']) {
    if (!fs.existsSync(path.join(appDir, need))) throw new Error(`${appDir}: no ${need} (build the page: npm run build in packages/web)`);
  }
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    const [, first = '', rest = ''] = /^\/([^/]*)\/?(.*)$/.exec(rel) ?? [];
    const mount = roots.find(([name]) => name === first);
    const file = mount ? inside(mount[1], rest) : inside(appDir, rel === '/' ? 'index.html' : rel);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile())
      return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${rel}\n`);
    send(res, req, file);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        url: `http://${address}:${port}/`,
        close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
      });
    });
  });
}
