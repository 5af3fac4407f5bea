import { writeFileAtomicSync } from '@ccl/data';

/**
 * Writes `data` to `file` atomically (@ccl/data's writeFileAtomicSync: temporary file in the same folder,
 * fsync, rename), with an error that names the file.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  try {
    writeFileAtomicSync(file, data);
  } catch (e) {
    throw new Error(`@ccl/eval: could not write ${file}: ${(e as Error).message}`);
  }
}
