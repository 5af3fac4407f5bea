import * as path from 'node:path';
import { DEFAULT_CORRELATION_THRESHOLDS, splitClassesByAgreement, splitClassesByRank, type ClassSplit } from '../semantic-gap';
import { readAgreementScoresFile, readClassSplitFile } from './class-split-file';
import { readRunDirectory } from './run-directory';

/** Where a report's class split comes from (`ccl report`'s options): a split file, or agreement scores split by thresholds or rank. */
export interface ClassSplitChoice {
  /** A `ccl.class-split/1` JSON or a report.json that has one. */
  classSplit?: string;
  /** Per-class teacher agreement scores (see `readAgreementScoresFile`). */
  agreement?: string;
  /** With `agreement`: [correlated, weak] score thresholds (default DEFAULT_CORRELATION_THRESHOLDS). */
  thresholds?: [number, number];
  /** With `agreement`, instead of thresholds: the N best classes correlated, the next M weakly. */
  rankSplit?: [number, number];
  /** What the agreement score is (shown in the report); default the scores file's name. */
  agreementSource?: string;
}

/**
 * The class split `choice` asks for over evaluated run folders (their class names come from
 * eval/recognition.json), with the text that says where it came from; null when it asks for none.
 * Contradictory choices are refused, one line naming `ccl report`'s options.
 */
export function classSplitForRuns(runDirs: readonly string[], c: ClassSplitChoice): { split: ClassSplit; source: string | undefined } | null {
  if (c.classSplit && c.agreement) throw new Error('give --class-split or --agreement, not both');
  if ((c.thresholds || c.rankSplit) && !c.agreement) throw new Error('--thresholds and --rank-split need --agreement');
  if (c.thresholds && c.rankSplit) throw new Error('give --thresholds or --rank-split, not both');
  if (!c.classSplit && !c.agreement) return null;
  // the first evaluated run's class names (run folders are read only when a split is asked for)
  let classNames: string[] | undefined;
  for (const dir of runDirs) if ((classNames = readRunDirectory(dir).recognition?.classNames) !== undefined) break;
  if (c.classSplit) return { split: readClassSplitFile(path.resolve(c.classSplit), classNames?.length), source: c.agreementSource };
  if (!classNames) throw new Error('--agreement needs evaluated runs (eval/recognition.json) to know the class names');
  const scores = readAgreementScoresFile(path.resolve(c.agreement!), classNames);
  const split = c.rankSplit
    ? splitClassesByRank(scores, { correlated: c.rankSplit[0], weak: c.rankSplit[1] })
    : splitClassesByAgreement(scores, c.thresholds ? { correlated: c.thresholds[0], weak: c.thresholds[1] } : DEFAULT_CORRELATION_THRESHOLDS);
  return { split, source: c.agreementSource ?? path.basename(c.agreement!) };
}
