// Child process of the folder-lock race test (bundled by esbuild in the test). Argument: a JSON plan
// { dirs, starts, holdMs }. For trial k it sleeps until starts[k] (wall clock, ms), then asks for the lock
// of dirs[k] at once with the other racers; a holder marks itself in <dir>/holders/, stays until
// starts[k] + holdMs, and reports which other racers it saw holding the folder with it. One JSON line per
// trial on stdout: { trial, pid, acquired, saw, late }.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireFolderLock } from '../../src/io/folder-lock';

const plan = JSON.parse(process.argv[2]!) as { dirs: string[]; starts: number[]; holdMs: number };
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepUntil = (t: number) => {
  for (let left = t - Date.now(); left > 2; left = t - Date.now()) Atomics.wait(pause, 0, 0, left - 2);
  while (Date.now() < t); // the last 2 ms spun, so the racers start within a millisecond
};

plan.dirs.forEach((dir, trial) => {
  const start = plan.starts[trial]!;
  sleepUntil(start);
  const late = Date.now() - start;
  let release: (() => void) | null = null;
  try {
    release = acquireFolderLock(dir, { what: 'racer', onNotice: () => {} });
  } catch {
    // refused: another racer holds the folder
  }
  let saw: string[] = [];
  if (release) {
    const holders = path.join(dir, 'holders');
    fs.mkdirSync(holders, { recursive: true });
    fs.writeFileSync(path.join(holders, String(process.pid)), '');
    sleepUntil(start + plan.holdMs);
    saw = fs.readdirSync(holders).filter((p) => p !== String(process.pid));
    fs.rmSync(path.join(holders, String(process.pid)));
    release();
  }
  process.stdout.write(`${JSON.stringify({ trial, pid: process.pid, acquired: release !== null, saw, late })}\n`);
});
