// The generated tables of docs/performance.md sit between `<!-- NAME:begin -->` and `<!-- NAME:end -->`,
// each marker alone on its line (prose that names a marker is not one). Shared by bench.mjs and bench-pairs.mjs.

/** `text` with what lies between the NAME markers replaced by `table`; refused unless each marker is on exactly one line. */
export function replaceBetweenMarkers(text, name, table, who) {
  const line = (m) => new RegExp(`^<!-- ${name}:${m} -->$`, 'gm');
  const begins = [...text.matchAll(line('begin'))];
  const ends = [...text.matchAll(line('end'))];
  if (begins.length !== 1 || ends.length !== 1 || ends[0].index < begins[0].index)
    throw new Error(
      `${who}: docs/performance.md needs exactly one line '<!-- ${name}:begin -->' before one line '<!-- ${name}:end -->' (found ${begins.length} and ${ends.length})`,
    );
  const from = begins[0].index + begins[0][0].length;
  return `${text.slice(0, from)}\n${table}\n${text.slice(ends[0].index)}`;
}
