import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { pipeline } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { isPathInside } from '@ccl/base/node';

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
  /** More host names requests may name (behind a proxy, an SSH tunnel with a name); see {@link startWebServer}. */
  allowedHosts?: readonly string[];
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** The file a URL path names inside `root`, or null when it leaves it (by its name: links are checked by {@link openServedFile}). */
function inside(root: string, rel: string): string | null {
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

const text = (res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}) =>
  void res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers }).end(`${body}\n`);

/** Errors that mean "no such file here" (answered 404); any other I/O error is answered 500. */
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EISDIR']);

/**
 * Opens `file` for reading if it is a regular file whose real path (every symbolic link resolved) is inside
 * the real path of `root`; null when it is not (missing, a folder, or a link leading out). Other I/O errors
 * (no permission...) are thrown.
 */
async function openServedFile(root: string, file: string): Promise<{ handle: fs.promises.FileHandle; size: number } | null> {
  let real: string;
  try {
    real = await fs.promises.realpath(file);
    if (!isPathInside(await fs.promises.realpath(root), real)) return null;
  } catch (err) {
    if (NOT_FOUND.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  const handle = await fs.promises.open(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); // O_NONBLOCK: a FIFO does not hang the open
  try {
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, size: stat.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  return null;
}

function send(req: http.IncomingMessage, res: http.ServerResponse, file: string, handle: fs.promises.FileHandle, size: number): void {
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  let start = 0;
  let end = size - 1;
  // <video> seeks with Range requests
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      void handle.close();
      return void res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
  } else res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD' || size === 0) {
    void handle.close();
    return void res.end();
  }
  // a read error after the headers (an I/O error mid-file) can only cut the response: the client sees it short
  pipeline(handle.createReadStream({ start, end }), res, () => {});
}

/**
 * Whether a request's Host header names this server: an IP address (a DNS-rebinding page cannot make the
 * browser send one: its requests name the attacker's host), `localhost`, or a name in `names`.
 */
function hostAllowed(header: string | undefined, names: ReadonlySet<string>): boolean {
  if (!header) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${header}`).hostname.replace(/\.$/, '');
  } catch {
    return false;
  }
  return net.isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0 || names.has(hostname);
}

/**
 * Serves the web app on 127.0.0.1 (a free port unless given): the page at /, the exported student at
 * /model/, each mount at /<name>/. GET and HEAD only (405 otherwise), byte ranges supported. Only regular
 * files whose real path (symbolic links resolved) is inside a served folder are sent: a link leading out
 * is answered 404, as a missing file. Requests whose Host header is not this server's are refused (403:
 * DNS rebinding protection; it answers to IP addresses, `localhost`, the `host` it listens on and
 * `allowedHosts`). An I/O error answers 500 (one line, the server goes on).
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
  const names = new Set(['localhost', ...(options.allowedHosts ?? []), ...(options.host ? [options.host] : [])].map((h) => h.toLowerCase()));
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, names))
      return text(res, 403, `host ${JSON.stringify(req.headers.host ?? '')} is not this server's (DNS rebinding protection)`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    const [, first = '', rest = ''] = /^\/([^/]*)\/?(.*)$/.exec(rel) ?? [];
    const mount = roots.find(([name]) => name === first);
    const [root, file] = mount ? [mount[1], inside(mount[1], rest)] : [appDir, inside(appDir, rel === '/' ? 'index.html' : rel)];
    let opened: Awaited<ReturnType<typeof openServedFile>> = null;
    try {
      opened = file === null ? null : await openServedFile(root, file);
    } catch (err) {
      return text(res, 500, `cannot read ${rel} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!opened) return text(res, 404, `not found: ${rel}`);
    send(req, res, file!, opened.handle, opened.size);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else text(res, 500, 'internal error');
    });
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
