import { bootstrapComparison, bootstrapTableCells, type BootstrapComparison, type VideoOutcomes } from '@ccl/eval';

/**
 * The bench's comparison against the baseline bootstrapped again with another method as the reference: the
 * same replicates, confidence, seed and scale, so the same seed and video draws (the draws do not depend on
 * the reference), and each method's own interval is the one of `comparison`.
 */
export function againstReference(outcomes: readonly VideoOutcomes[], comparison: BootstrapComparison, reference: string): BootstrapComparison {
  return bootstrapComparison(outcomes, {
    baseline: reference,
    replicates: comparison.replicates,
    confidence: comparison.confidence,
    seed: comparison.bootstrapSeed,
    scale: comparison.scale,
  });
}

/** `heading`, then a line per method that `include` keeps, e.g. `  ccl-ai: -1.2 [-4.0, +1.5] points, no difference shown`. */
export function formatAgainstReference(heading: string, comparison: BootstrapComparison, include: (method: string) => boolean): string {
  const lines = bootstrapTableCells(comparison)
    .rows.filter(([method]) => method !== comparison.baseline && include(method!))
    .map(([method, , delta, verdict]) => `  ${method}: ${delta} points, ${verdict}`);
  return [heading, ...lines].join('\n');
}
