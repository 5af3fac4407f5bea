import { InvalidArgumentError } from 'commander';

/**
 * commander argParsers for the CLI's numeric options: a bad value is refused while the arguments are parsed,
 * so `ccl` prints the usage and `option '--val <fraction>' argument 'abc' is invalid. expected ...` and
 * exits 2 (cli.ts), before anything runs. Defaults are given as numbers (commander does not parse them).
 */
export type OptionParser<T> = (value: string) => T;

/** A finite number written as a plain decimal (not '', not 'abc', not '1e'). */
function toNumber(value: string, expected: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected ${expected}, got '${value}'`);
  return n;
}

/** An integer in [min, max]. */
export function integerBetween(min: number, max = Number.POSITIVE_INFINITY): OptionParser<number> {
  const expected = max === Number.POSITIVE_INFINITY ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return (value) => {
    const n = toNumber(value, expected);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${expected}, got '${value}'`);
    return n;
  };
}

/** Any integer (seeds). */
export const parseInteger: OptionParser<number> = integerBetween(Number.NEGATIVE_INFINITY);

/** An integer >= 1 (epochs, counts, sizes, rates). */
export const parsePositiveInt: OptionParser<number> = integerBetween(1);

/** An integer >= 0 (0 meaning "off" or "native"). */
export const parseNonNegativeInt: OptionParser<number> = integerBetween(0);

/**
 * The seeds of a bench: `N` is seeds 1 to N, `A-B` seeds A to B, `A,B,...` those seeds (each an integer >= 1,
 * listed once), so that the seeds of one bench can be run in parts and merged (`ccl bench merge`).
 */
export const parseSeeds: OptionParser<number | number[]> = (value) => {
  const expected = 'a count N (seeds 1 to N), a range A-B or a list A,B,... of integers >= 1';
  const seed = (v: string) => {
    if (!/^\s*\d+\s*$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected ${expected}, got '${value}'`);
    return Number(v);
  };
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (range) {
    const [from, to] = [seed(range[1]!), seed(range[2]!)];
    if (to < from) throw new InvalidArgumentError(`expected ${expected}, got '${value}' (the range runs backwards)`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  if (!value.includes(',')) return seed(value);
  const seeds = value.split(',').map(seed);
  if (new Set(seeds).size !== seeds.length) throw new InvalidArgumentError(`expected ${expected}, got '${value}' (a seed listed twice)`);
  return seeds;
};

/** `--seeds` spelled so that parseSeeds reads the same seeds back (a worker's argv): one listed seed s as `s-s`, not the count s. */
export function formatSeeds(seeds: number | readonly number[]): string {
  if (typeof seeds === 'number') return String(seeds);
  return seeds.length === 1 ? `${seeds[0]}-${seeds[0]}` : seeds.join(',');
}

/** A fraction in [0, 1) (held-out shares). */
export const parseFraction: OptionParser<number> = (value) => {
  const n = toNumber(value, 'a fraction in [0, 1)');
  if (n < 0 || n >= 1) throw new InvalidArgumentError(`expected a fraction in [0, 1), got '${value}'`);
  return n;
};

/** A finite number > 0 (durations). */
export const parsePositiveNumber: OptionParser<number> = (value) => {
  const n = toNumber(value, 'a number > 0');
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got '${value}'`);
  return n;
};

/** `i/N` with 0 <= i < N: this process handles the samples whose index is i modulo N. */
export function parseShard(value: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError(`expected i/N with 0 <= i < N, got '${value}'`);
  return [Number(m[1]), Number(m[2])];
}

/** A shard option's value, checked by {@link parseShard} and kept as written. */
export const parseShardSpec: OptionParser<string> = (value) => (parseShard(value), value);
