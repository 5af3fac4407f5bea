/**
 * Seeded pseudo-random numbers, computed in plain JS so that a seed gives the same numbers on every tfjs
 * backend. Two generators, each kept bit-identical to the streams recorded runs depend on:
 *  - `createRng(seed)`: sfc32 seeded through splitmix32, with `fork` for independent sub-streams
 *    (@ccl/data: row selection, crops, flips, synthetic data, batch orders);
 *  - `mulberry32(seed)`: 32-bit state (@ccl/losses initialisations and negative sampling, @ccl/eval
 *    splits), and `keyedRng(...keys)`, mulberry32 seeded from a hash of integer keys (@ccl/distill: every
 *    draw of a training run is a pure function of (seed, purpose, epoch, step, ...), so a resumed run
 *    draws what the uninterrupted run drew, with no generator state to save).
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive, like Python's `random.randint`). */
  int(lo: number, hi: number): number;
}

/** A generator that can derive independent sub-streams. */
export interface ForkableRng extends Rng {
  /** A new generator derived from this one's state and `salt` (advances this one by one draw). */
  fork(salt: number): ForkableRng;
}

const TWO_32 = 0x100000000;

/** The Rng methods over a raw generator of uint32 values. */
function fromUint32(raw: () => number): Rng {
  return {
    next: () => raw() / TWO_32,
    uniform: (lo, hi) => lo + (hi - lo) * (raw() / TWO_32),
    int: (lo, hi) => {
      if (hi < lo) throw new Error(`Rng.int: empty range [${lo}, ${hi}]`);
      return lo + Math.floor((raw() / TWO_32) * (hi - lo + 1));
    },
  };
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

/** sfc32 seeded through splitmix32; equal seeds give equal sequences. Seeds beyond 32 bits fold their high word in. */
export function createRng(seed: number): ForkableRng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / TWO_32));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const raw = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) raw();
  return { ...fromUint32(raw), fork: (salt) => createRng((raw() ^ Math.imul(salt | 0, 0x27d4eb2d)) >>> 0) };
}

/** mulberry32 (32-bit state, period 2^32) from an integer seed (taken modulo 2^32). */
export function mulberry32(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`mulberry32: seed must be an integer, got ${seed}`);
  let a = seed >>> 0;
  return fromUint32(() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  });
}

/** 32-bit hash of a list of integers (murmur3-style mixing; each value is taken as int32). */
export function hashInts(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32 seeded from `hashInts(...keys)`: a stream that is a pure function of its keys. */
export function keyedRng(...keys: number[]): Rng {
  return mulberry32(hashInts(...keys));
}

/** Mixes a seed and a counter into a new 32-bit seed (per-step streams of one seed). */
export function mixSeed(seed: number, counter: number): number {
  let h = (seed ^ Math.imul(counter + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fisher-Yates shuffle of a copy of `items` (from the last position down, j = rng.int(0, i)). */
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

/** A random permutation of [0, n): `shuffled` of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  return shuffled(
    Array.from({ length: n }, (_, i) => i),
    rng,
  );
}

/** `count` draws uniform in [lo, hi), in draw order (e.g. an initialisation drawn in plain JS). */
export function uniformArray(rng: Rng, count: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.uniform(lo, hi);
  return out;
}
