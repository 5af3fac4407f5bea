/**
 * Plain words for a {@link BootstrapComparison}: a Markdown table (method | mean [CI] | Δ vs baseline [CI] |
 * verdict) and a one-paragraph summary saying which methods are shown to beat the baseline.
 */
import type { BootstrapComparison, BootstrapRow } from './bootstrap';

/** Options of the formatters. */
export interface BootstrapFormatOptions {
  /** Name of the metric in the header (default 'top-1'). */
  metric?: string;
  /** Unit of a difference in the summary (default 'points', i.e. percentage points). */
  unit?: string;
  /** Decimals (default 1). */
  digits?: number;
}

/** The table's cells (not escaped): header, then one row per method (the baseline's Δ and verdict as '—' and 'baseline'). */
export function bootstrapTableCells(result: BootstrapComparison, options: BootstrapFormatOptions = {}): { header: string[]; rows: string[][] } {
  const d = options.digits ?? 1;
  const ci = `${confidenceLabel(result.confidence)} CI`;
  const header = ['method', `${options.metric ?? 'top-1'} mean [${ci}]`, `Δ vs ${result.baseline} [${ci}]`, 'verdict'];
  const rows = result.rows.map((row) => {
    const own = `${fixed(row.mean, d)} [${fixed(row.lower, d)}, ${fixed(row.upper, d)}]`;
    const diff = row.vsBaseline;
    const delta = diff ? `${signed(diff.mean, d)} [${plus(bound(diff.lower, d))}, ${plus(bound(diff.upper, d))}]` : '—';
    return [row.method, own, delta, diff ? diff.verdict : 'baseline'];
  });
  return { header, rows };
}

/** Markdown table, one row per method, the baseline's Δ and verdict shown as '—' and 'baseline'. */
export function formatBootstrapTable(result: BootstrapComparison, options: BootstrapFormatOptions = {}): string {
  const { header, rows } = bootstrapTableCells(result, options);
  const line = (r: string[]) => `| ${r.map(cell).join(' | ')} |`;
  return [line(header), '|---|---|---|---|', ...rows.map(line)].join('\n');
}

/**
 * One paragraph: which methods beat the baseline and by how much (with the CI), which are worse, for which no
 * difference is shown ("no method is shown to beat the baseline" when none does), and what was resampled.
 */
export function formatBootstrapSummary(result: BootstrapComparison, options: BootstrapFormatOptions = {}): string {
  const d = options.digits ?? 1;
  const unit = options.unit ?? 'points';
  const ci = `${confidenceLabel(result.confidence)} CI`;
  const baseline = result.baseline === 'baseline' ? 'the baseline' : `the baseline (${result.baseline})`;
  const compared = result.rows.filter((r): r is BootstrapRow & { vsBaseline: NonNullable<BootstrapRow['vsBaseline']> } => r.vsBaseline !== null);
  const by = (verdict: string) => compared.filter((r) => r.vsBaseline.verdict === verdict);
  const range = (r: (typeof compared)[number]) => `${ci} ${bound(r.vsBaseline.lower, d)} to ${bound(r.vsBaseline.upper, d)}`;
  const sentences: string[] = [];
  const better = by('better');
  if (better.length === 0) sentences.push(`No method is shown to beat ${baseline}.`);
  else sentences.push(`${listOf(better.map((r) => `${r.method} beats ${baseline} by ${fixed(r.vsBaseline.mean, d)} ${unit} (${range(r)})`))}.`);
  const worse = by('worse');
  if (worse.length > 0)
    sentences.push(`${listOf(worse.map((r) => `${r.method} is below ${baseline} by ${fixed(-r.vsBaseline.mean, d)} ${unit} (${range(r)})`))}.`);
  const unclear = by('no difference shown');
  if (unclear.length > 0) {
    const names = listOf(unclear.map((r) => `${r.method} (${signed(r.vsBaseline.mean, d)}, ${range(r)})`));
    sentences.push(`No difference from ${baseline} is shown for ${names}: ${unclear.length === 1 ? 'its interval contains' : 'their intervals contain'} 0.`);
  }
  sentences.push(`${resampledWhat(result)}; a method beats ${baseline} only where the ${ci} of its paired difference lies above 0.`);
  return sentences.join(' ');
}

/** What the bootstrap resampled, as a sentence without its full stop. */
export function resampledWhat(r: BootstrapComparison): string {
  const lo = Math.min(...r.videosPerSeed);
  const hi = Math.max(...r.videosPerSeed);
  const videos = lo === hi ? `${lo}` : `${lo}-${hi}`;
  if (r.levels.length === 1)
    return `Bootstrap over the ${videos} test videos of a single seed (${r.replicates} replicates; seed-to-seed variation is not covered)`;
  return `Paired bootstrap over ${r.seeds.length} seeds and ${videos} test videos per seed (${r.replicates} replicates)`;
}

function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join('; ')}; and ${items[items.length - 1]}`;
}

function confidenceLabel(c: number): string {
  return `${Number((c * 100).toFixed(2))}%`;
}

function fixed(v: number, d: number): string {
  const s = v.toFixed(d);
  return Number(s) === 0 ? (0).toFixed(d) : s;
}

/**
 * A bound of a paired difference's CI, whose sign decides the verdict: `d` decimals, or as many more (up to 6)
 * as show its sign where `d` would print a non-zero bound as 0 (-0.0499 -> '-0.05', not '0.0' beside "worse").
 */
function bound(v: number, d: number): string {
  for (let k = d; k <= d + 6; k++) {
    const s = v.toFixed(k);
    if (Number(s) !== 0) return s;
  }
  return fixed(v, d);
}

/** `v` with `d` decimals and a '+' when above 0. */
function signed(v: number, d: number): string {
  return plus(fixed(v, d));
}

/** A printed number with a '+' when above 0. */
function plus(s: string): string {
  return Number(s) > 0 ? `+${s}` : s;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
