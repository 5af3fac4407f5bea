import * as fs from 'node:fs';
import { writeJsonAtomicSync } from '@ccl/base/node';
import { changedKeys } from '@ccl/distill';
import { BENCH_FILE_SCHEMA, compareBenchOutcomes, type BenchFile } from './bench-file';
import { formatBenchOutput } from './format';
import { sharedSeed } from './options';
import { checkSameStudentPerSeed } from './stages/report';

/** Options that may differ between the parts of one bench: which runs each part made, and where. */
const PER_PART_OPTIONS = ['seeds', 'methods', 'workDir', 'only', 'parallel', 'out', 'progress'];

/** One bench.json read from a file, for {@link mergeBenchFiles}. */
export interface BenchFilePart {
  file: string;
  bench: BenchFile;
}

/**
 * One bench.json from several that ran parts of the same bench (other seeds, other methods; on other machines
 * or in other sessions), as if one invocation had run every run: the rows and outcomes in the bench's order
 * (seeds ascending, methods in the order the parts list them), every comparison recomputed on them, the
 * same bootstrap draws a single bench would make. Refused, naming the file and the problem, unless the parts
 * are one bench: the same schema, options (but seeds, methods and the work folder), backend and teacher
 * probes (the evidence that they synthesised the same data and pre-trained the same teachers), one student
 * initialisation per seed, and a run found in two parts with the same outcomes in both.
 */
export function mergeBenchFiles(parts: readonly BenchFilePart[]): BenchFile {
  if (parts.length === 0) throw new Error('merge: no bench.json to merge');
  const first = parts[0]!;
  for (const part of parts) {
    if (part.bench?.schema !== BENCH_FILE_SCHEMA)
      throw new Error(`${part.file}: not a bench.json of ccl bench synthetic (schema ${JSON.stringify(part.bench?.schema)}, expected '${BENCH_FILE_SCHEMA}')`);
    if (part === first) continue;
    const options = changedKeys(sharedOptions(first.bench), sharedOptions(part.bench));
    if (options.length) throw new Error(`${part.file}: not the same bench as ${first.file}: options differ in ${options.join(', ')}`);
    if (part.bench.backend !== first.bench.backend)
      throw new Error(
        `${part.file}: ran on backend ${part.bench.backend}, ${first.file} on ${first.bench.backend}; the numbers of one bench come from one backend`,
      );
    const probes = changedKeys(first.bench.teacherProbes, part.bench.teacherProbes);
    if (probes.length)
      throw new Error(
        `${part.file}: its teachers' probes differ from ${first.file}'s (${probes.join(', ')}): not the same data and teachers, so its runs are not paired with the others`,
      );
  }

  const methods = [...new Set(parts.flatMap((p) => p.bench.methods))];
  const seeds = [...new Set(parts.flatMap((p) => p.bench.seeds))].sort((a, b) => a - b);
  const byRun = new Map<string, { part: BenchFilePart; row: BenchFile['runs'][number]; outcomes: BenchFile['outcomes'][number] }>();
  for (const part of parts) {
    const { runs, outcomes } = part.bench;
    if (runs.length !== outcomes.length) throw new Error(`${part.file}: ${runs.length} runs but ${outcomes.length} outcome lists`);
    runs.forEach((row, i) => {
      const own = outcomes[i]!;
      if (own.method !== row.label || own.seed !== row.seed)
        throw new Error(`${part.file}: outcomes ${i} are ${own.method} seed ${own.seed}, its run ${row.label} seed ${row.seed}`);
      const key = `${row.label}@${row.seed}`;
      const earlier = byRun.get(key);
      if (!earlier) return void byRun.set(key, { part, row, outcomes: own });
      if (JSON.stringify(earlier.outcomes) !== JSON.stringify(own) || earlier.row.studentInitDigest !== row.studentInitDigest)
        throw new Error(`${part.file}: ${row.label} seed ${row.seed} is also in ${earlier.part.file} with other results; keep one of them`);
    });
  }
  const missing = seeds.flatMap((seed) => methods.filter((method) => !byRun.has(`${method}@${seed}`)).map((method) => `${method} seed ${seed}`));
  if (missing.length)
    throw new Error(`merge: no part has ${missing.join(', ')}; a paired comparison needs every method for every seed (${parts.map((p) => p.file).join(', ')})`);
  const ordered = seeds.map((seed) => methods.map((method) => byRun.get(`${method}@${seed}`)!)).flat();
  const runs = ordered.map((r) => r.row);
  const outcomes = ordered.map((r) => r.outcomes);
  checkSameStudentPerSeed(runs);
  const revisions = new Set(parts.map((p) => p.bench.gitRevision));
  return {
    ...first.bench,
    options: { ...first.bench.options, dataSeed: sharedOptions(first.bench).dataSeed as number, seeds, methods },
    seeds,
    methods,
    gitRevision: revisions.size === 1 ? first.bench.gitRevision : null,
    ...compareBenchOutcomes(outcomes, methods, first.bench.options.bootstrap),
    runs,
    outcomes,
    parts: parts.flatMap((p) => p.bench.parts ?? [{ file: p.file, seeds: p.bench.seeds, methods: p.bench.methods, gitRevision: p.bench.gitRevision }]),
  };
}

/**
 * A bench's options without those that say which runs a part made, with the seed of its shared stages (data,
 * split, teachers) spelled out: a bench.json written before `dataSeed` existed used its first seed.
 */
function sharedOptions(bench: BenchFile): Record<string, unknown> {
  const options = { ...bench.options, dataSeed: sharedSeed({ seeds: bench.seeds, dataSeed: bench.options?.dataSeed }) };
  return Object.fromEntries(Object.entries(options).filter(([k]) => !PER_PART_OPTIONS.includes(k)));
}

/** A bench.json file, read; a file that cannot be read or parsed is refused in one line naming it. */
export function readBenchFile(file: string): BenchFilePart {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return { file, bench: JSON.parse(text) as BenchFile };
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
}

/** `ccl bench merge`: the bench.json files merged (mergeBenchFiles), written atomically to `out` when given. */
export function mergeBenchFileSet(files: readonly string[], out?: string): BenchFile {
  const merged = mergeBenchFiles(files.map(readBenchFile));
  if (out) writeJsonAtomicSync(out, merged);
  return merged;
}

/** What `ccl bench merge` prints: where the runs came from, then the bench's tables (formatBenchOutput). */
export function formatMergedBench(merged: BenchFile, benchFile: string | undefined): string {
  const parts = (merged.parts ?? []).map((p) => `${p.file} (seeds ${p.seeds.join(', ')}; ${p.methods.length} methods; ${p.gitRevision ?? 'no revision'})`);
  const tables = formatBenchOutput({
    rows: merged.runs,
    comparison: merged.comparison,
    bestKd: merged.bestKd,
    ablations: merged.ablations,
    teacherProbes: merged.teacherProbes,
    benchFile: benchFile ?? '(not written: --out FILE writes it)',
  });
  return `merged ${merged.runs.length} runs from ${parts.join(', ')}\n\n${tables}\n`;
}
