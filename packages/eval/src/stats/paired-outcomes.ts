/**
 * Per-video outcomes of several methods over several seeds, checked for a paired design: every method has
 * every seed, and within a seed every method was scored on the same test videos. Values are aligned to the
 * first method's video order so that video index i means the same video for every method.
 */

/** One method's per-video outcomes on one seed's test set (1/0 for correct/wrong top-1, or any score). */
export interface VideoOutcomes {
  method: string;
  seed: number | string;
  /** Test video ids, one per value (no duplicates). */
  videoIds: readonly string[];
  /** Outcome of each video, finite. */
  values: ArrayLike<number>;
}

/** Outcomes checked and aligned: `values[s][m][i]` is method `methods[m]` on video i of seed `seeds[s]`. */
export interface PairedOutcomes {
  methods: string[];
  seeds: (number | string)[];
  /** Test video ids of each seed (in the first method's order). */
  videoIds: string[][];
  values: Float64Array[][];
}

const PAIRED = 'a paired comparison needs every method on every seed, scored on the same test videos';

/**
 * Groups `runs` by seed (seeds and methods in first-appearance order) and checks the paired design.
 * Throws a one-line error naming the method and seed for: no runs, a duplicate (method, seed), a method
 * missing for a seed, values and ids of different lengths, an empty or duplicated video list, a non-finite
 * value, or test videos that differ between methods of one seed.
 */
export function pairOutcomes(runs: readonly VideoOutcomes[]): PairedOutcomes {
  if (runs.length === 0) throw new Error('@ccl/eval: no outcomes to compare');
  const methods = [...new Set(runs.map((r) => r.method))];
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const bySeed = new Map<number | string, Map<string, VideoOutcomes>>(seeds.map((s) => [s, new Map()]));
  for (const r of runs) {
    const slot = bySeed.get(r.seed) as Map<string, VideoOutcomes>;
    if (slot.has(r.method)) throw new Error(`@ccl/eval: method '${r.method}' has outcomes for seed ${r.seed} twice`);
    checkRun(r);
    slot.set(r.method, r);
  }
  const videoIds: string[][] = [];
  const values: Float64Array[][] = [];
  for (const seed of seeds) {
    const slot = bySeed.get(seed) as Map<string, VideoOutcomes>;
    const missing = methods.find((m) => !slot.has(m));
    if (missing !== undefined) throw new Error(`@ccl/eval: method '${missing}' has no outcomes for seed ${seed} (${PAIRED})`);
    const reference = slot.get(methods[0] as string) as VideoOutcomes;
    videoIds.push([...reference.videoIds]);
    values.push(methods.map((m) => alignedValues(slot.get(m) as VideoOutcomes, reference)));
  }
  return { methods, seeds, videoIds, values };
}

function checkRun(r: VideoOutcomes): void {
  const where = `method '${r.method}', seed ${r.seed}`;
  if (r.videoIds.length === 0) throw new Error(`@ccl/eval: ${where}: no test videos`);
  if (r.values.length !== r.videoIds.length) throw new Error(`@ccl/eval: ${where}: ${r.values.length} values for ${r.videoIds.length} videos`);
  const seen = new Set<string>();
  for (let i = 0; i < r.videoIds.length; i++) {
    const id = r.videoIds[i] as string;
    if (seen.has(id)) throw new Error(`@ccl/eval: ${where}: video '${id}' appears twice`);
    seen.add(id);
    if (!Number.isFinite(r.values[i])) throw new Error(`@ccl/eval: ${where}: value of video '${id}' is ${r.values[i]}, not a finite number`);
  }
}

/** `run`'s values in `reference`'s video order; throws when the two test sets differ. */
function alignedValues(run: VideoOutcomes, reference: VideoOutcomes): Float64Array {
  const index = new Map<string, number>();
  run.videoIds.forEach((id, i) => index.set(id, i));
  const where = `seed ${run.seed}: method '${run.method}' and '${reference.method}' were scored on different test videos`;
  if (run.videoIds.length !== reference.videoIds.length) {
    throw new Error(`@ccl/eval: ${where} (${run.videoIds.length} vs ${reference.videoIds.length}; ${PAIRED})`);
  }
  const out = new Float64Array(reference.videoIds.length);
  reference.videoIds.forEach((id, i) => {
    const j = index.get(id);
    if (j === undefined) throw new Error(`@ccl/eval: ${where} ('${id}' is not among the videos of '${run.method}'; ${PAIRED})`);
    out[i] = run.values[j] as number;
  });
  return out;
}
