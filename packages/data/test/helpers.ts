import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'ccl-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const FIXTURES = path.join(__dirname, 'fixtures');
