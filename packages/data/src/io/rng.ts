/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32). Every random choice in @ccl/data
 * (row selection, crops, flips, synthetic data, shuffling) takes one of these, so a run is reproducible
 * from its seed.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive, like Python's `random.randint`). */
  int(lo: number, hi: number): number;
  /** A new generator derived from this one's state and `salt` (independent streams). */
  fork(salt: number): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a seeded generator; equal seeds give equal sequences. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const raw = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) raw();
  const rng: Rng = {
    next: () => raw() / 0x100000000,
    uniform: (lo, hi) => lo + (hi - lo) * (raw() / 0x100000000),
    int: (lo, hi) => {
      if (hi < lo) throw new Error(`Rng.int: empty range [${lo}, ${hi}]`);
      return lo + Math.floor((raw() / 0x100000000) * (hi - lo + 1));
    },
    fork: (salt) => createRng((raw() ^ Math.imul(salt | 0, 0x27d4eb2d)) >>> 0),
  };
  return rng;
}

/** Fisher-Yates shuffle of a copy of `items` with `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}
