import * as path from 'node:path';
import { reportFromRunDirectories } from '@ccl/eval';
import { BENCH_FILE_SCHEMA, compareBenchOutcomes, type BenchComparisons, type BenchFile } from '../bench-file';
import type { ExperimentRow, SyntheticExperimentOptions } from '../options';
import type { Stages } from '../stage';
import type { BenchRuns } from './runs';
import type { TeacherProbes } from './teacher-probes';

/** The paired design's premise, checked: every method of a seed started from the same student weights. */
export function checkSameStudentPerSeed(rows: readonly Pick<ExperimentRow, 'label' | 'seed' | 'studentInitDigest'>[]): void {
  for (const seed of new Set(rows.map((r) => r.seed))) {
    const ofSeed = rows.filter((r) => r.seed === seed);
    const digests = new Set(ofSeed.map((r) => r.studentInitDigest));
    if (digests.size > 1) {
      throw new Error(
        `seed ${seed}: the methods did not start from the same student (${ofSeed.map((r) => `${r.label} ${r.studentInitDigest}`).join(', ')}); a paired comparison needs one initialisation per seed`,
      );
    }
  }
}

/**
 * The last stage: the paired bootstrap against the baseline (when it ran), against the best KD baseline and
 * (the ablations) against CCL-AI, `bench.json` (options, code revision, rows, per-video outcomes) and the
 * report of the run folders, all in `reportDir`.
 */
export async function reportStage(
  stages: Stages,
  o: SyntheticExperimentOptions,
  runs: BenchRuns,
  reportDir: string,
  provenance: { codeRevision: string | null; teacherProbes: TeacherProbes | null },
): Promise<BenchComparisons & { benchFile: string }> {
  checkSameStudentPerSeed(runs.rows);
  const { comparison, bestKd, ablations } = compareBenchOutcomes(runs.outcomes, o.methods, o.bootstrap);
  const benchFile = path.join(reportDir, 'bench.json');
  const bench: BenchFile = {
    schema: BENCH_FILE_SCHEMA,
    metric: 'video top-1 accuracy (%), softmax averaged over sliding windows',
    design: 'paired: per seed, every method shares the data, the split, the teachers and the student initialisation',
    options: { ...o, out: undefined, progress: undefined },
    seeds: o.seeds,
    methods: o.methods,
    backend: o.backend,
    gitRevision: provenance.codeRevision,
    teacherProbes: provenance.teacherProbes,
    comparison,
    bestKd,
    ablations,
    runs: runs.rows,
    outcomes: runs.outcomes,
  };
  await stages.run('write the report (report.html, SVG figures, Markdown, CSV) and bench.json', async () => {
    const { files } = await reportFromRunDirectories(runs.runDirs, reportDir, {
      // the bench's own folder: force, so a report written before reports recorded their files is replaced too
      force: true,
      extraFiles: { 'bench.json': `${JSON.stringify(bench, null, 2)}\n` },
      title: 'ccl synthetic audio-visual distillation benchmark',
      classSplit: runs.classSplit,
      // the bootstrap CIs over test videos (and seeds) the console prints, shown with the method comparison
      ...(comparison ? { bootstrap: comparison } : {}),
      agreementSource: "the generator's designed audio-label correspondence (strong / weak / none)",
      // one seed: the runs are labelled by method, so the subset table can show gains over the baseline
      ...(o.seeds.length === 1 && o.methods.includes('baseline') ? { baseline: 'baseline' } : {}),
      notes: [
        `backend: ${o.backend}`,
        `student r2plus1d-18 x${o.student.widthMultiplier}, ${o.student.frames} frames ${o.student.size}px, ${o.epochs} epochs, seeds ${o.seeds.join(', ')}`,
      ],
    });
    stages.note(`${files.length} files in ${reportDir}`);
  });
  return { comparison, bestKd, ablations, benchFile };
}
