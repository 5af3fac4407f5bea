import type { TeacherFeatureSet, ManifestSample } from '@ccl/data';

/** How much of the training set a precomputed teacher must cover, and what a shortfall does. */
export interface CoverageRule {
  /** Share of training videos that must have a feature, in [0, 1] (default 0.5). */
  minCoverage: number;
  /** `fail` (default): throw; `warn`: report and go on (those videos train without that teacher). */
  lowCoverage: 'fail' | 'warn';
}

export const DEFAULT_COVERAGE_RULE: CoverageRule = { minCoverage: 0.5, lowCoverage: 'fail' };

/** How many of the samples one teacher has features for. */
export interface TeacherCoverage {
  teacher: string;
  covered: number;
  total: number;
}

/**
 * Counts, per teacher, the training samples whose id has a feature, and fails (or warns, per the
 * teacher's rule) when the share is below its `minCoverage`: ids that do not match the feature files
 * would otherwise silently train a baseline.
 */
export function checkTeacherCoverage(
  samples: readonly ManifestSample[],
  features: Record<string, TeacherFeatureSet>,
  rules: Record<string, Partial<CoverageRule>> = {},
  warn: (message: string) => void = (m) => console.warn(m),
): TeacherCoverage[] {
  return Object.entries(features).map(([teacher, set]) => {
    const rule = { ...DEFAULT_COVERAGE_RULE, ...rules[teacher] };
    const covered = samples.filter((s) => set.features.has(s.id)).length;
    const total = samples.length;
    if (total > 0 && covered < rule.minCoverage * total) {
      const message =
        `${set.source}: teacher '${teacher}' has features for ${covered} of ${total} training videos (${((100 * covered) / total).toFixed(1)}%), ` +
        `below its minCoverage of ${(100 * rule.minCoverage).toFixed(1)}% (were the features extracted from this manifest? set the teacher's "lowCoverage": "warn" to train anyway)`;
      if (rule.lowCoverage === 'fail') throw new Error(message);
      warn(`warning: ${message}`);
    }
    return { teacher, covered, total };
  });
}
