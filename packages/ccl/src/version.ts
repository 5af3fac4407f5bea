import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The version in the package.json of `packageRoot`: by default this package's own, one folder above the
 * running file (src/ under jest, dist/ when built), read at run time so a release bump needs no code change.
 */
export function packageVersion(packageRoot: string = path.join(__dirname, '..')): string {
  const file = path.join(packageRoot, 'package.json');
  const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
  if (typeof version !== 'string' || !version) throw new Error(`${file}: no "version"`);
  return version;
}
