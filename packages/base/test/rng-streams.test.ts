import { createRng, hashInts, keyedRng, mixSeed, mulberry32, permutation, shuffled, uniformArray } from '@ccl/base';

// First values of every stream, computed with the implementations this module replaced
// (@ccl/data io/rng.ts, @ccl/distill rng.ts, @ccl/losses kd/rng.ts, @ccl/eval probe.ts's mulberry32).
// Recorded runs (batch orders, crops, initialisations, splits) depend on these streams: they must not change.
const take = (f: () => number, n: number): number[] => Array.from({ length: n }, f);

describe('createRng (sfc32 seeded by splitmix32; was @ccl/data createRng)', () => {
  it('next, int and uniform give the recorded values', () => {
    const r = createRng(1);
    expect(take(() => r.next(), 4)).toEqual([0.4256499295588583, 0.79042171058245, 0.6910148127935827, 0.5241122804582119]);
    const big = createRng(2 ** 40 + 5);
    expect(take(() => big.int(0, 1000), 4)).toEqual([38, 688, 783, 644]);
    const u = createRng(7);
    expect(take(() => u.uniform(-2, 3), 3)).toEqual([-1.0242585877422243, -0.1948402349371463, 2.202735156286508]);
  });

  it('fork gives the recorded sub-stream and advances the parent by one draw', () => {
    const r = createRng(9);
    const f = r.fork(3);
    expect(take(() => f.next(), 3)).toEqual([0.4795505104120821, 0.3889511991292238, 0.5891617217566818]);
    expect(r.next()).toBe(0.8229160343762487);
  });

  it('shuffled gives the recorded order', () => {
    expect(shuffled([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], createRng(3))).toEqual([7, 1, 0, 3, 8, 6, 2, 9, 5, 4]);
  });
});

describe('keyedRng (mulberry32 from hashInts of the keys; was @ccl/distill rngFor)', () => {
  it('hashInts gives the recorded hashes', () => {
    expect([hashInts(), hashInts(0), hashInts(1, 2, 3), hashInts(-7, 2 ** 31)]).toEqual([2872998923, 1500062585, 556913344, 3266856449]);
  });

  it('next and int(0, n - 1) give the recorded values (old int(n))', () => {
    const k = keyedRng(1, 2, 3);
    expect(take(() => k.next(), 4)).toEqual([0.4432771138381213, 0.600379463750869, 0.5231312178075314, 0.9264864905271679]);
    const k2 = keyedRng(5);
    expect(take(() => k2.int(0, 2 ** 31 - 1), 3)).toEqual([6347500, 1895693586, 912755156]);
  });

  it('permutation gives the recorded order', () => {
    expect(permutation(10, keyedRng(42, 1, 0))).toEqual([6, 1, 3, 9, 2, 5, 0, 4, 8, 7]);
  });

  it('is mulberry32 seeded by the hash', () => {
    const a = keyedRng(4, 5);
    const b = mulberry32(hashInts(4, 5));
    expect(take(() => a.next(), 5)).toEqual(take(() => b.next(), 5));
  });
});

describe('mulberry32 (was @ccl/losses SeededRandom and @ccl/eval mulberry32)', () => {
  it('next, int(0, n - 1) and uniformArray give the recorded values', () => {
    const m = mulberry32(123);
    expect(take(() => m.next(), 3)).toEqual([0.7872516233474016, 0.1785435655619949, 0.49531551403924823]);
    const m2 = mulberry32(99);
    expect(take(() => m2.int(0, 16), 4)).toEqual([4, 13, 9, 11]);
    expect(Array.from(uniformArray(mulberry32(0), 4, -0.5, 0.5))).toEqual([
      -0.23357078433036804, -0.49967026710510254, -0.27672797441482544, -0.3537978529930115,
    ]);
  });

  it('rejects a non-integer seed', () => {
    expect(() => mulberry32(1.5)).toThrow(/seed must be an integer/);
  });

  it('mixSeed gives the recorded seeds', () => {
    expect([mixSeed(0, 0), mixSeed(5, 3), mixSeed(2 ** 32 - 1, 100)]).toEqual([2462723854, 4126767546, 3013772929]);
  });
});
