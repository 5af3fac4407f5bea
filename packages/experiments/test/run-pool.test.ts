import { checkSameStudentPerSeed, runPool } from '../src';

describe('runPool', () => {
  it('runs every item, at most `jobs` at once, and throws the first failure after the lanes end', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let max = 0;
    await runPool([1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    });
    expect(started.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(max).toBe(2);
    const done: number[] = [];
    await expect(
      runPool([1, 2, 3, 4], 2, async (i) => {
        await new Promise((r) => setTimeout(r, i === 1 ? 1 : 10));
        if (i === 1) throw new Error('run 1 broke');
        done.push(i);
      }),
    ).rejects.toThrow('run 1 broke');
    expect(done).toEqual([2]); // the lane in flight finished; no new item was started after the failure
  });
});

describe('checkSameStudentPerSeed', () => {
  it('refuses a comparison whose methods of one seed started from different students', () => {
    const row = (label: string, seed: number, studentInitDigest: string) => ({ label, seed, studentInitDigest });
    expect(() => checkSameStudentPerSeed([row('baseline', 1, 'aa'), row('ccl-ai', 1, 'aa'), row('baseline', 2, 'bb'), row('ccl-ai', 2, 'bb')])).not.toThrow();
    expect(() => checkSameStudentPerSeed([row('baseline', 1, 'aa'), row('ccl-ai', 1, 'ab')])).toThrow(
      /seed 1: the methods did not start from the same student \(baseline aa, ccl-ai ab\)/,
    );
  });
});
