import { parseQueueUrl, redactQueueUrl } from '../src';

describe('parseQueueUrl', () => {
  it('reads host, port and database', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toEqual({ url: 'redis://10.0.0.5:6380/2', host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseQueueUrl('redis://cache.internal')).toMatchObject({ host: 'cache.internal', port: 6379, db: 0 });
    expect(parseQueueUrl('rediss://user:pw@h:1/')).toMatchObject({ host: 'h', port: 1, db: 0 });
  });

  it('refuses anything else in one line naming the value', () => {
    expect(() => parseQueueUrl('10.0.0.5:6379')).toThrow("--queue '10.0.0.5:6379': not a URL (expected redis://HOST:PORT[/DB])");
    expect(() => parseQueueUrl('nonsense')).toThrow("--queue 'nonsense': not a URL");
    expect(() => parseQueueUrl('redis://h:1/db')).toThrow("database 'db' is not a number");
    expect(() => parseQueueUrl('http://h:1')).toThrow("protocol 'http:' is not redis:");
  });
});

describe('redactQueueUrl', () => {
  it('replaces the password of every URL in a text, and nothing else', () => {
    expect(redactQueueUrl('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://:***@10.0.0.5:6379/2');
    expect(redactQueueUrl('rediss://default:s3cret@cache.internal')).toBe('rediss://default:***@cache.internal');
    expect(redactQueueUrl('redis://s3cret@h:1')).toBe('redis://***@h:1'); // a lone user part may be a password
    expect(redactQueueUrl('redis://:pa@ss@h:1/0')).toBe('redis://:***@h:1/0'); // the last '@' ends the userinfo, as a URL parser reads it
    expect(redactQueueUrl('start `ccl worker --queue redis://:a@h:1` and `--queue rediss://u:b@k`')).toBe(
      'start `ccl worker --queue redis://:***@h:1` and `--queue rediss://u:***@k`',
    );
    for (const plain of ['redis://10.0.0.5:6379/0', 'no url here', 'connect ECONNREFUSED 127.0.0.1:6379']) expect(redactQueueUrl(plain)).toBe(plain);
  });

  it("parseQueueUrl's errors show the address redacted", () => {
    expect(() => parseQueueUrl('redis://:s3cret@h:1/db')).toThrow("--queue 'redis://:***@h:1/db': database 'db' is not a number");
    expect(() => parseQueueUrl('http://:s3cret@h:1')).toThrow("--queue 'http://:***@h:1': protocol 'http:' is not redis:");
    expect(() => parseQueueUrl('redis://:s3cret@h:port')).toThrow("--queue 'redis://:***@h:port': not a URL");
  });
});
