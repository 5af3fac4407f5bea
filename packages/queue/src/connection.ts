import IORedis, { type Redis } from 'ioredis';

/** A checked `redis://HOST:PORT[/DB]` queue address. */
export interface QueueAddress {
  url: string;
  host: string;
  port: number;
  db: number;
}

/** Parses `redis://HOST:PORT[/DB]` (also `rediss://`, and `user:password@`); a bad one throws one line naming the value. */
export function parseQueueUrl(url: string): QueueAddress {
  const bad = (why: string) => new Error(`--queue '${url}': ${why} (expected redis://HOST:PORT[/DB])`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(`protocol '${u.protocol}' is not redis:`);
  if (!u.hostname) throw bad('no host');
  const port = u.port ? Number(u.port) : 6379;
  const dbPath = u.pathname.replace(/^\//, '');
  if (dbPath !== '' && !/^\d+$/.test(dbPath)) throw bad(`database '${dbPath}' is not a number`);
  return { url, host: u.hostname, port, db: dbPath === '' ? 0 : Number(dbPath) };
}

/**
 * An ioredis client for `url`, as BullMQ wants it (`maxRetriesPerRequest: null`: commands wait through a
 * Redis restart instead of failing), after a first PING: an unreachable server throws one line naming the
 * address within `timeoutMs` instead of retrying forever.
 */
export async function connectQueue(url: string, options: { timeoutMs?: number } = {}): Promise<Redis> {
  parseQueueUrl(url);
  let connected = false;
  const client = new IORedis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    // before the first answer: give up after a few tries (a wrong address fails at once); after it, reconnect forever (a Redis restart)
    retryStrategy: (times) => (connected ? Math.min(200 * times, 2000) : times > 5 ? null : 200),
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    lastError = err.message;
  });
  const timeoutMs = options.timeoutMs ?? 10000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client
        .connect()
        .then(() => client.ping())
        .then(() => {
          connected = true;
        }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      }),
    ]);
  } catch (err) {
    client.disconnect();
    throw new Error(`${url}: cannot reach Redis (${lastError || `${(err as Error).message} within ${timeoutMs} ms`})`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
