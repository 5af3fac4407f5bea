import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** A redis-server of this test: on 127.0.0.1 and a free port, its data (append-only file) in `dir`. */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes its data and exits). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: without persistence, everything it held is lost). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** The server's process id (to freeze it with SIGSTOP). */
  pid(): number;
}

/** The redis-server binary: $CCL_REDIS_SERVER, else `redis-server` on the PATH; missing, the test fails saying how to get it. */
export function redisServerBinary(): string {
  const configured = process.env.CCL_REDIS_SERVER;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CCL_REDIS_SERVER=${configured}: not found`);
    return configured;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'redis-server');
    if (dir && fs.existsSync(file)) return file;
  }
  throw new Error('redis-server not found: run `bash tools/system/setup.sh redis` (Debian: apt-get install redis-server) or set CCL_REDIS_SERVER');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let answer = '';
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        sock.destroy();
        resolve(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH')); // up (a password-protected one answers NOAUTH)
      }
    });
    sock.on('error', () => resolve(false));
  });
}

/**
 * Starts a real redis-server for a test (append-only persistence in `dir`, no RDB snapshots; `persist: false`:
 * none, a restart starts empty; `password`: clients must give it); stop it in afterAll.
 */
export async function startTestRedis(dir: string, options: { persist?: boolean; password?: string } = {}): Promise<TestRedis> {
  const bin = redisServerBinary();
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    log = '';
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.persist === false ? 'no' : 'yes', '--dir', dir];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    const proc = spawn(bin, [...args, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const t0 = Date.now();
    while (!(await ping(port))) {
      if (proc.exitCode !== null) throw new Error(`${bin} exited with ${proc.exitCode}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
      if (Date.now() - t0 > 10000) throw new Error(`${bin} did not answer on port ${port} within 10 s: ${log.trim().split('\n').slice(-3).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const end = (signal: NodeJS.Signals) => async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.on('exit', () => resolve());
      proc.kill(signal);
    });
  };
  await start();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return { url: `redis://${auth}127.0.0.1:${port}`, port, stop: end('SIGTERM'), kill: end('SIGKILL'), start, pid: () => child!.pid! };
}
