import { workerLog } from '../src';

describe("workerLog (ccl worker's output)", () => {
  it('writes one timestamped line per event and counts completed and failed jobs', () => {
    const lines: string[] = [];
    const log = workerLog(
      (l) => lines.push(l),
      () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    );
    log.onEvent({ kind: 'completed', queue: 'ccl-prepare', jobId: 'r-a', result: { id: 'a', status: 'done' }, ms: 12 });
    log.onEvent({ kind: 'failed', queue: 'ccl-prepare', jobId: 'r-b', reason: 'disk full', willRetry: true });
    log.onEvent({ kind: 'completed', queue: 'ccl-features', jobId: 'f-0', result: { written: 3, reused: 1 }, ms: 40 });
    log.onEvent({ kind: 'error', message: 'connection lost' });
    expect(lines).toEqual([
      '2026-01-02T03:04:05.000Z done a done in 12 ms (1 done, 0 failed)\n',
      '2026-01-02T03:04:05.000Z failed r-b (will retry): disk full\n',
      '2026-01-02T03:04:05.000Z done f-0 (3 features written, 1 already there) in 40 ms (2 done, 1 failed)\n',
      '2026-01-02T03:04:05.000Z redis: connection lost\n',
    ]);
    expect([log.done, log.failed]).toEqual([2, 1]);
  });
});
