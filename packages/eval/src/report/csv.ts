/**
 * CSV output (RFC 4180): comma-separated, a header row, fields quoted when they hold a comma, a quote or a
 * line break (quotes doubled), `\n` line ends. Numbers are written in full precision; null as an empty field.
 * Text that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return; names come from run folders and may be crafted) gets a leading `'` (OWASP's rule against CSV
 * injection), so it shows as text; numbers stay numbers.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV document: header row, then one row per record (each row as long as the header). */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const lines = [header.map(csvField).join(',')];
  rows.forEach((row, i) => {
    if (row.length !== header.length) throw new Error(`@ccl/eval: CSV row ${i + 1} has ${row.length} fields, the header ${header.length}`);
    lines.push(row.map(csvField).join(','));
  });
  return `${lines.join('\n')}\n`;
}
