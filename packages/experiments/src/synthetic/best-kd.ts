import type { BootstrapComparison, VideoOutcomes } from '@ccl/eval';
import { againstReference, formatAgainstReference } from './paired-reference';

/** The paper's KD baselines (the rows of its table besides the baseline and CCL), by bench label. */
export const KD_BASELINES = ['fitnet', 'pkt', 'cor', 'rkd', 'crd', 'ifd', 'cmc'];

/** A CCL variant of the bench (ccl-a, ccl-i, ccl-ai and the ablations of CCL-AI), by label. */
const isCclVariant = (method: string) => method.startsWith('ccl');

/** Every method's paired difference against the best KD baseline of a bench. */
export interface BestKdComparison {
  /** The KD baseline with the highest mean top-1 (ties: the first in KD_BASELINES). */
  method: string;
  /** The same bootstrap as the comparison against the baseline (same seed, so the same draws), with `method` as the reference. */
  comparison: BootstrapComparison;
}

/**
 * The second question of the decision rule (docs/benchmark.md): does a CCL variant beat the best KD
 * baseline, not only the baseline? The best KD baseline is the one with the highest mean in `comparison`
 * (chosen after the runs, so this is the harder test for CCL); the differences are bootstrapped on the same
 * seed and video draws as `comparison` (the draws do not depend on the reference method). Null when the
 * bench ran no KD baseline or no CCL variant.
 */
export function compareWithBestKd(outcomes: readonly VideoOutcomes[], comparison: BootstrapComparison): BestKdComparison | null {
  const kd = comparison.rows.filter((r) => KD_BASELINES.includes(r.method));
  if (kd.length === 0 || !comparison.rows.some((r) => isCclVariant(r.method))) return null;
  const best = kd.reduce((a, b) => (b.mean > a.mean ? b : a));
  return { method: best.method, comparison: againstReference(outcomes, comparison, best.method) };
}

/** The CCL variants' lines against the best KD baseline, e.g. `ccl-ai: -1.2 [-4.0, +1.5] points, no difference shown`. */
export function formatBestKd(best: BestKdComparison): string {
  return formatAgainstReference(
    `Against the best KD baseline (${best.method}, the highest mean; paired, the same bootstrap draws):`,
    best.comparison,
    isCclVariant,
  );
}
