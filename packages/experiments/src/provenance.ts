import { execFileSync } from 'node:child_process';

/**
 * The checkout's commit (`git rev-parse HEAD` in the working folder), or null outside a git checkout (or
 * without git). What ran is recorded by whoever starts it: `ccl train` (trainFromConfigFile) in run.json, the
 * benchmark in bench.json and in each run's run.json.
 */
export function gitRevision(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
