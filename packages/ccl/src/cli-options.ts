import { InvalidArgumentError } from 'commander';
import { parseBenchSeeds } from '@ccl/experiments';

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

/** `--seeds` (@ccl/experiments' parseBenchSeeds): a count, a range A-B or a list A,B,... */
export const parseSeeds: OptionParser<number | number[]> = (value) => {
  try {
    return parseBenchSeeds(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

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
