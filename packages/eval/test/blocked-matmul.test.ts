import { mulberry32 } from '@ccl/base';
import { rankGallery, relevantRanks } from '../src';
import { addTransposedTimes, matmulTransposed } from '../src/blocked-matmul';

const rng = mulberry32(42);
const rand = (): number => rng.next();
const randArray = (n: number) => Float64Array.from({ length: n }, () => rand() * 2 - 1);

describe('blocked kernels equal naive loops (odd sizes hit every remainder path)', () => {
  it.each([
    [1, 1, 1],
    [2, 4, 3],
    [3, 5, 7],
    [5, 9, 2],
  ])('matmulTransposed n=%i m=%i d=%i', (n, m, d) => {
    const a = randArray(n * d);
    const b = randArray(m * d);
    const z = matmulTransposed(a, n, b, m, d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += a[i * d + k]! * b[j * d + k]!;
        expect(z[i * m + j]).toBeCloseTo(s, 12);
      }
  });

  it.each([
    [1, 1, 1],
    [2, 4, 3],
    [3, 5, 7],
    [5, 9, 2],
  ])('addTransposedTimes n=%i m=%i d=%i', (n, m, d) => {
    const r = randArray(n * m);
    const x = randArray(n * d);
    const g0 = randArray(m * d);
    const g = Float64Array.from(g0);
    addTransposedTimes(g, r, x, n, m, d);
    for (let c = 0; c < m; c++)
      for (let k = 0; k < d; k++) {
        let s = g0[c * d + k]!;
        for (let i = 0; i < n; i++) s += r[i * m + c]! * x[i * d + k]!;
        expect(g[c * d + k]).toBeCloseTo(s, 12);
      }
  });

  it('rejects mismatched buffers', () => {
    expect(() => matmulTransposed(new Float64Array(5), 2, new Float64Array(4), 2, 2)).toThrow(/do not match/);
  });
});

describe('relevantRanks equals ranks read off the full sorted order', () => {
  it('on random similarities with many ties', () => {
    for (let trial = 0; trial < 30; trial++) {
      const G = 1 + Math.floor(rand() * 40);
      const sims = Float64Array.from({ length: G }, () => Math.round(rand() * 6) / 6); // 7 levels -> ties
      const labels = Array.from({ length: G }, () => Math.floor(rand() * 3));
      const order = rankGallery(sims);
      const expected = order.flatMap((g, r) => (labels[g] === 1 ? [r + 1] : []));
      expect(relevantRanks(sims, labels, 1)).toEqual(expected);
    }
  });
});
