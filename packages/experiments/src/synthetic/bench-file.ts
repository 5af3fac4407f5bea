import { bootstrapComparison, type BootstrapComparison, type VideoOutcomes } from '@ccl/eval';
import { compareAblations, type AblationComparison } from './ablations';
import { compareWithBestKd, type BestKdComparison } from './best-kd';
import type { ExperimentRow, SyntheticExperimentOptions } from './options';
import type { TeacherProbes } from './stages/teacher-probes';

/** The schema tag of bench.json. */
export const BENCH_FILE_SCHEMA = 'ccl.bench-synthetic/1';

/** bench.json: everything a bench measured, enough to recompute every comparison (the per-video outcomes). */
export interface BenchFile {
  schema: typeof BENCH_FILE_SCHEMA;
  metric: string;
  design: string;
  /** The bench's options as JSON (functions and streams dropped). */
  options: Partial<SyntheticExperimentOptions> & Record<string, unknown>;
  seeds: number[];
  methods: string[];
  backend: string;
  /** The code revision the bench ran (null outside a git checkout, or when merged parts ran different ones: see `parts`). */
  gitRevision: string | null;
  teacherProbes: TeacherProbes | null;
  comparison: BootstrapComparison | null;
  bestKd: BestKdComparison | null;
  ablations: AblationComparison | null;
  /** One row per run, seeds outer, methods inner (in `methods` order). */
  runs: ExperimentRow[];
  /** Per run, every test video's top-1 outcome (1 correct, 0 wrong), in the order of `runs`. */
  outcomes: VideoOutcomes[];
  /** Where a merged bench came from (mergeBenchFiles): each part's file, seeds, methods and revision. */
  parts?: BenchPart[];
}

/** One input of a merged bench.json. */
export interface BenchPart {
  file: string;
  seeds: number[];
  methods: string[];
  gitRevision: string | null;
}

/** The comparisons of a bench, from its per-video outcomes. */
export interface BenchComparisons {
  comparison: BootstrapComparison | null;
  bestKd: BestKdComparison | null;
  ablations: AblationComparison | null;
}

/**
 * The paired bootstrap against the baseline (when `methods` has it), against the best KD baseline and (the
 * ablations) against CCL-AI, all on the same draws. `outcomes` in the bench's order (seeds outer, methods
 * inner): the draws follow that order, so the same outcomes in the same order give the same intervals.
 */
export function compareBenchOutcomes(
  outcomes: readonly VideoOutcomes[],
  methods: readonly string[],
  bootstrap: SyntheticExperimentOptions['bootstrap'],
): BenchComparisons {
  const comparison = methods.includes('baseline')
    ? bootstrapComparison(outcomes, { baseline: 'baseline', replicates: bootstrap?.replicates ?? 2000, seed: bootstrap?.seed ?? 1 })
    : null;
  return {
    comparison,
    bestKd: comparison ? compareWithBestKd(outcomes, comparison) : null,
    ablations: comparison ? compareAblations(outcomes, comparison) : null,
  };
}
