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

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean };
  /** Label in front of the bar. */
  label?: string;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h ? `${h}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/**
 * A progress bar with loss terms, throughput and ETA. On a TTY it redraws one line; elsewhere it prints a
 * plain line at most every 10% of the work, so logs stay readable.
 */
export class ProgressBar {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly started = Date.now();
  private lastDecile = -1;

  constructor(
    private readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
  }

  update(done: number, items: number, info: Record<string, number>): void {
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = items / Math.max(elapsed, 1e-9);
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Infinity;
    const terms = Object.entries(info)
      .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
      .join(' ');
    const frac = this.total ? done / this.total : 1;
    if (this.stream.isTTY) {
      const width = 24;
      const fill = Math.round(frac * width);
      const bar = `${'█'.repeat(fill)}${'░'.repeat(width - fill)}`;
      this.stream.write(`\r${this.options.label ?? ''} ${bar} ${done}/${this.total} ${rate.toFixed(1)} clips/s ETA ${fmtTime(eta)} ${terms}\u001b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile && done !== this.total) return;
      this.lastDecile = decile;
      this.stream.write(
        `${this.options.label ?? ''} ${done}/${this.total} (${Math.round(frac * 100)}%) ${rate.toFixed(1)} clips/s ETA ${fmtTime(eta)} ${terms}\n`,
      );
    }
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
