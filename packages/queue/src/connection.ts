import IORedis, { type Redis } from 'ioredis';

/** A checked `redis://HOST:PORT[/DB]` queue address. */
export interface QueueAddress {
  url: string;
  host: string;
  port: number;
  db: number;
}

/**
 * `text` with the password of every URL in it replaced by `***` (`redis://:secret@h:1` -> `redis://:***@h:1`,
 * `redis://user:secret@h` -> `redis://user:***@h`; a user part without a colon may be a password too and
 * becomes `***`): what every message that shows a queue address prints.
 */
export function redactQueueUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)/gi, (match, scheme: string, authority: string) => {
    const at = authority.lastIndexOf('@');
    if (at < 0) return match;
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`}${authority.slice(at)}`;
  });
}

/** Parses `redis://HOST:PORT[/DB]` (also `rediss://`, and `user:password@`); a bad one throws one line naming the value (its password redacted). */
export function parseQueueUrl(url: string): QueueAddress {
  const bad = (why: string) => new Error(`--queue '${redactQueueUrl(url)}': ${why} (expected redis://HOST:PORT[/DB])`);
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
    throw new Error(`${redactQueueUrl(url)}: cannot reach Redis (${redactQueueUrl(lastError || `${(err as Error).message} within ${timeoutMs} ms`)})`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
