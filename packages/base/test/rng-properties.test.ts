import { createRng, shuffled } from '@ccl/base';

describe('seeded rng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('int(lo, hi) is inclusive and roughly uniform', () => {
    const r = createRng(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[r.int(0, 3) - 0]! += 1;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    expect(() => r.int(3, 2)).toThrow(/empty range/);
  });

  it('shuffled is a permutation, reproducible per seed', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s1 = shuffled(items, createRng(3));
    expect(shuffled(items, createRng(3))).toEqual(s1);
    expect([...s1].sort((x, y) => x - y)).toEqual(items);
    expect(s1).not.toEqual(items);
  });
});
