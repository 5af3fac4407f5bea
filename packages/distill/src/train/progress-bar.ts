import type { TrainingEvent } from './training-events';

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

/** A stream a progress bar writes to: a terminal (`isTTY`) redraws one line, anything else gets plain lines. */
export type ProgressStream = NonNullable<ProgressOptions['stream']>;

/**
 * A listener for a Trainer's `onEvent` that renders its events as one progress bar per epoch on `stream`
 * (`epoch 2/30 ███░░ 12/40 9.1 clips/s ETA 0:31 loss 1.2345 ce 0.9876`): what `ccl train`, the demo and the
 * benchmark show.
 */
export function progressBarListener(stream: ProgressStream = process.stderr): (event: TrainingEvent) => void {
  let bar: ProgressBar | null = null;
  return (event) => {
    if (event.type === 'epoch-start') bar = new ProgressBar(event.steps, { stream, label: `epoch ${event.epoch + 1}/${event.epochs}` });
    else if (event.type === 'step')
      bar?.update(event.step + 1 - event.startStep, event.clips, { loss: event.loss, ...(event.terms.cls_v !== undefined ? { ce: event.terms.cls_v } : {}) });
    else if (event.type === 'epoch-end') {
      bar?.done();
      bar = null;
    }
  };
}
