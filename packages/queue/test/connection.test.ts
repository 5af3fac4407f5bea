import { parseQueueUrl } from '../src';

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
