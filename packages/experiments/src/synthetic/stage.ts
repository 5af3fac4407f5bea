/** Prints numbered stage headings with their durations, so long jobs show where they are. */
export class Stages {
  private n = 0;
  private readonly started = Date.now();

  constructor(private readonly out: { write(s: string): unknown } = process.stdout) {}

  async run<T>(title: string, work: () => Promise<T> | T): Promise<T> {
    this.n += 1;
    const t0 = Date.now();
    this.out.write(`\n[${this.n}] ${title}\n`);
    const result = await work();
    this.out.write(`    done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return result;
  }

  note(line: string): void {
    this.out.write(`    ${line}\n`);
  }

  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }
}
