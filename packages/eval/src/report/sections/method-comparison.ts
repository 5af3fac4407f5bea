/** The method-comparison section's data: mean (± std over seeds) per method and metric, and the bootstrap CIs given with the input. */
import { compareRuns } from '../compare';
import type { ReportInput, ReportJson } from '../types';

export function methodComparisonSection(input: ReportInput): Pick<ReportJson, 'comparison' | 'bootstrap'> {
  return {
    comparison: input.runs && input.runs.length ? compareRuns(input.runs) : null,
    bootstrap: input.bootstrap ?? null,
  };
}
