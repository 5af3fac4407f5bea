/** `summary.md`: the report's tables (in %, one decimal) and its figures, linked by file name. */
import { reportTables } from './tables';
import type { ReportJson } from './types';

/**
 * Text for Markdown, shown as written: HTML's `&`, `<` and `>` as entities (a name like
 * `<img src=x onerror=...>` from a run folder never becomes HTML in a renderer), `\`, `[` and `]`
 * backslash-escaped (no links), line breaks as spaces (no new blocks).
 */
function markdownText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\[\]]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => markdownText(s).replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** Markdown summary of a report (tables in %, one decimal; figures linked by file name; every name escaped, see markdownText). */
export function renderMarkdown(r: ReportJson, classNames: readonly string[] = []): string {
  const out: string[] = [`# ${markdownText(r.title)}`, ''];
  for (const n of r.notes) out.push(`- ${markdownText(n)}`);
  if (r.notes.length) out.push('');
  for (const t of reportTables(r, classNames))
    out.push(`${'#'.repeat(t.level)} ${markdownText(t.heading)}`, '', markdownText(t.intro), '', mdTable(t.header, t.rows), '');
  if (r.figures.length) {
    out.push(
      '## Figures',
      '',
      'Interactive version (hover values, toggle runs): [report.html](report.html). Long-format data: `curves.csv`, `results.csv`.',
      '',
    );
    for (const f of r.figures) out.push(`![${markdownText(f.title)}](${f.file})`, '');
  }
  return out.join('\n');
}
