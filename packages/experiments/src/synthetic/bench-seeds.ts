/** The seeds of a bench, as `ccl bench synthetic --seeds` reads and writes them. */

const EXPECTED = 'a count N (seeds 1 to N), a range A-B or a list A,B,... of integers >= 1';

/**
 * `N` is the count N (seeds 1 to N), `A-B` the seeds A to B, `A,B,...` those seeds (each an integer >= 1, listed
 * once), so that the seeds of one bench can run in parts and be merged (mergeBenchFiles). Refused:
 * `expected ..., got '...'`.
 */
export function parseBenchSeeds(value: string): number | number[] {
  const refuse = (why = '') => new Error(`expected ${EXPECTED}, got '${value}'${why}`);
  const seed = (v: string) => {
    if (!/^\s*\d+\s*$/.test(v) || Number(v) < 1) throw refuse();
    return Number(v);
  };
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (range) {
    const [from, to] = [seed(range[1]!), seed(range[2]!)];
    if (to < from) throw refuse(' (the range runs backwards)');
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  if (!value.includes(',')) return seed(value);
  const seeds = value.split(',').map(seed);
  if (new Set(seeds).size !== seeds.length) throw refuse(' (a seed listed twice)');
  return seeds;
}

/** Seeds spelled so that parseBenchSeeds reads the same seeds back (a worker's argv): one listed seed s as `s-s`, not the count s. */
export function formatBenchSeeds(seeds: number | readonly number[]): string {
  if (typeof seeds === 'number') return String(seeds);
  return seeds.length === 1 ? `${seeds[0]}-${seeds[0]}` : seeds.join(',');
}

/** The seeds a count or list names: 1 .. n for a count, else the list (refused when empty, repeated or not integers >= 1). */
export function benchSeedList(seeds: number | readonly number[]): number[] {
  const list = typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i + 1) : [...seeds];
  if (list.length === 0 || list.some((s) => !Number.isInteger(s) || s < 1) || new Set(list).size !== list.length)
    throw new Error(`seeds must be a count >= 1 or distinct integers >= 1, got ${JSON.stringify(seeds)}`);
  return list;
}
