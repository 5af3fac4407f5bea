import type { BootstrapComparison, VideoOutcomes } from '@ccl/eval';
import { againstReference, formatAgainstReference } from './paired-reference';

/** The method the ablations take apart: each `ccl-ai-*` method changes one thing of it (bench-presets.test.ts checks that). */
export const ABLATION_REFERENCE = 'ccl-ai';

/** An ablation of ABLATION_REFERENCE, by bench label (`ccl-ai-no-jsd`, `ccl-ai-tau1`, ...). */
export const isAblation = (method: string): boolean => method.startsWith(`${ABLATION_REFERENCE}-`);

/** Every method's paired difference against the method the ablations change (ABLATION_REFERENCE). */
export interface AblationComparison {
  reference: string;
  /** The same bootstrap as the comparison against the baseline (the same draws), with `reference` as the reference. */
  comparison: BootstrapComparison;
}

/**
 * What each ablation does to CCL-AI: its paired difference against CCL-AI itself, on the same seed and video
 * draws as `comparison` (the one against the baseline). Null unless the bench ran CCL-AI and an ablation of it.
 */
export function compareAblations(outcomes: readonly VideoOutcomes[], comparison: BootstrapComparison): AblationComparison | null {
  const ran = comparison.rows.map((r) => r.method);
  if (!ran.includes(ABLATION_REFERENCE) || !ran.some(isAblation)) return null;
  return { reference: ABLATION_REFERENCE, comparison: againstReference(outcomes, comparison, ABLATION_REFERENCE) };
}

/** The ablations' lines against CCL-AI, e.g. `ccl-ai-no-jsd: +6.3 [+1.0, +12.0] points, better`. */
export function formatAblations(ablations: AblationComparison): string {
  return formatAgainstReference(
    `Each ablation against ${ablations.reference}, the method it changes one thing of (paired, the same bootstrap draws):`,
    ablations.comparison,
    isAblation,
  );
}
