import * as fs from 'node:fs';
import * as path from 'node:path';

/** Appends JSON lines to a file (one object per line), creating folders as needed. */
export class JsonlLog {
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  append(record: Record<string, unknown>): void {
    fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  /** Drops records past `keep(record) === false` (used on resume so a log has no steps twice). */
  truncate(keep: (record: Record<string, unknown>) => boolean): void {
    if (!fs.existsSync(this.file)) return;
    const lines = fs.readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
    const kept = lines.filter((l) => {
      try {
        return keep(JSON.parse(l));
      } catch {
        return false;
      }
    });
    fs.writeFileSync(this.file, kept.length ? `${kept.join('\n')}\n` : '');
  }
}
