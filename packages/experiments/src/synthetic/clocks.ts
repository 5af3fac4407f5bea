/** Runs done and an ETA for the rest from the mean time of the runs that trained (reused ones cost ~0). */
export class RunClock {
  done = 0;
  private trainedSeconds = 0;
  private trained = 0;
  private last = Date.now();

  constructor(private readonly total: number) {}

  finished(trained: boolean): void {
    const now = Date.now();
    if (trained) {
      this.trainedSeconds += (now - this.last) / 1000;
      this.trained++;
    }
    this.last = now;
    this.done++;
  }

  /** Marks the next run's start; returns `; ETA 3 min` for the runs left once one has trained, else ''. */
  startNext(): string {
    this.last = Date.now();
    if (this.trained === 0) return '';
    const seconds = (this.trainedSeconds / this.trained) * (this.total - this.done);
    return `; ETA ${seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`}`;
  }
}

/** `k of N; ETA 3 min` for runs finishing in parallel: the wall-clock time per finished run, times the runs left. */
export class PoolClock {
  private done = 0;
  private readonly started = Date.now();

  constructor(private readonly total: number) {}

  finished(): string {
    this.done++;
    const left = this.total - this.done;
    if (left === 0) return `${this.done} of ${this.total}`;
    const seconds = ((Date.now() - this.started) / 1000 / this.done) * left;
    return `${this.done} of ${this.total}; ETA ${seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`}`;
  }
}
