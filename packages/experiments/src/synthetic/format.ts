import { formatBootstrapSummary, formatBootstrapTable, type BootstrapComparison } from '@ccl/eval';
import type { ExperimentRow } from './options';
import { formatAblations, type AblationComparison } from './ablations';
import { formatBestKd, type BestKdComparison } from './best-kd';
import { AT_CHANCE_SHARE } from './training-fit';
import type { TeacherProbes } from './stages/teacher-probes';

/**
 * What each teacher knows about the video classes (linear probes of frozen features, train -> test) next to
 * the baseline student's own probe (mean over its seeds): the regime's diagnostic.
 */
export function formatTeacherProbes(p: TeacherProbes, rows: readonly ExperimentRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const student = rows.filter((r) => r.label === 'baseline' && r.probeTop1 !== null).map((r) => r.probeTop1 as number);
  const own = student.length
    ? `; the baseline student's own features ${pct(student.reduce((a, b) => a + b, 0) / student.length)} (mean of ${student.length} seed${student.length > 1 ? 's' : ''})`
    : '';
  return `Linear probes on the video classes (${p.image.train} train -> ${p.image.test} test videos): image teacher on frames ${pct(p.image.top1)}, audio teacher on sound ${pct(p.audio.top1)} (${p.audio.train} -> ${p.audio.test} videos with sound)${own}.`;
}

/** The comparison table (mean ± std over seeds) as Markdown. */
export function formatResultsTable(rows: ExperimentRow[]): string {
  const labels = [...new Set(rows.map((r) => r.label))];
  /** mean ± std over seeds of `xs` x `scale`, with `digits` decimals. */
  const stat = (xs: (number | null)[], scale = 100, digits = 1) => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).map((x) => scale * x);
    if (!v.length) return '-';
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    if (v.length === 1) return m.toFixed(digits);
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    return `${m.toFixed(digits)} ± ${sd.toFixed(digits)}`;
  };
  const lines = [
    '| method | seeds | top-1 | top-5 | R@1 | R@5 | R@10 | mAP | top-1 audio-correlated | weakly | not correlated | training CE, last epoch |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const l of labels) {
    const rs = rows.filter((r) => r.label === l);
    const trainingCe = stat(
      rs.map((r) => r.finalTrainCe),
      1,
      2,
    );
    lines.push(
      `| ${l} | ${rs.length} | ${stat(rs.map((r) => r.top1))} | ${stat(rs.map((r) => r.top5))} | ${stat(rs.map((r) => r.recall['1']))} | ${stat(rs.map((r) => r.recall['5']))} | ${stat(rs.map((r) => r.recall['10']))} | ${stat(rs.map((r) => r.mAP))} | ${stat(rs.map((r) => r.correlated))} | ${stat(rs.map((r) => r.weak))} | ${stat(rs.map((r) => r.notCorrelated))} | ${trainingCe} |`,
    );
  }
  return lines.join('\n');
}

/**
 * What the demo and the benchmark print: the paired comparison of video top-1 against the baseline (mean,
 * 95% bootstrap CI, the difference's CI and its verdict, a summary in words), then every metric as mean ±
 * std over seeds.
 */
export function formatBenchOutput(result: {
  rows: ExperimentRow[];
  comparison: BootstrapComparison | null;
  /** The CCL variants against the best KD baseline, when the bench ran both. */
  bestKd?: BestKdComparison | null;
  /** The ablations against CCL-AI, when the bench ran both. */
  ablations?: AblationComparison | null;
  benchFile: string;
  teacherProbes?: TeacherProbes | null;
}): string {
  const parts: string[] = [];
  if (result.teacherProbes) parts.push(formatTeacherProbes(result.teacherProbes, result.rows), '');
  if (result.comparison) {
    const c = result.comparison;
    const videos = c.videosPerSeed.join(', ');
    parts.push(
      `Video top-1, paired against the baseline (${c.seeds.length} seed${c.seeds.length > 1 ? 's' : ''}, ${videos} test videos per seed; ${Math.round(100 * c.confidence)}% bootstrap CIs over ${c.levels.join(' and ')}, ${c.replicates} replicates):`,
      '',
      formatBootstrapTable(c),
      '',
      formatBootstrapSummary(c),
    );
    if (result.bestKd) parts.push('', formatBestKd(result.bestKd));
    if (result.ablations) parts.push('', formatAblations(result.ablations));
    if (c.levels.length === 1)
      parts.push('With one seed the intervals resample the test videos only: they leave out how much a result moves from seed to seed.');
  } else {
    parts.push('No baseline among the methods: no paired comparison.');
  }
  const notLearned = formatAtChance(result.rows);
  if (notLearned) parts.push('', notLearned);
  const diverged = formatDiverged(result.rows);
  if (diverged) parts.push('', diverged);
  parts.push(
    '',
    'Every metric, mean ± std over seeds (%; the training cross-entropy in nats):',
    '',
    formatResultsTable(result.rows),
    '',
    `all numbers: ${result.benchFile}`,
  );
  return parts.join('\n');
}

/** The runs that diverged (a non-finite loss or gradient stopped them), in a sentence; '' if none. */
export function formatDiverged(rows: readonly ExperimentRow[]): string {
  const diverged = rows.filter((r) => r.diverged);
  if (!diverged.length) return '';
  const runs = diverged.map((r) => `${r.label} seed ${r.seed} (step ${r.diverged!.globalStep ?? '?'})`).join(', ');
  return `Diverged (a non-finite loss or gradient stopped training): ${runs}. These runs count in the table with the checkpoint chosen on the held-out split before they diverged.`;
}

/** The runs whose student learned nothing (training cross-entropy at chance over its last epoch), in a sentence; '' if none. */
export function formatAtChance(rows: readonly ExperimentRow[]): string {
  const at = rows.filter((r) => r.atChance);
  if (!at.length) return '';
  const runs = at.map((r) => `${r.label} seed ${r.seed} (${r.finalTrainCe!.toFixed(2)})`).join(', ');
  return `Did not learn (training cross-entropy over the last epoch at ${Math.round(100 * AT_CHANCE_SHARE)}% of chance, ln C, or above): ${runs}. These runs count in the table as they ended.`;
}
