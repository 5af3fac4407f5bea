import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `data` to `file` atomically: a temporary file in the same folder, then rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`@ccl/eval: could not write ${file}: ${(e as Error).message}`);
  }
}
