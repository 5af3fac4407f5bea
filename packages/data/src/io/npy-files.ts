import * as fs from 'node:fs';
import { writeFileAtomicSync } from '@ccl/base/node';
import { encodeNpy, parseNpy, type NpyArray } from './npy';

/** Reads a `.npy` file (see {@link parseNpy}); errors name the file. */
export function readNpy(file: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read .npy file: ${(err as Error).message}`);
  }
  return parseNpy(bytes, file);
}

/** Writes a `.npy` file atomically (temporary file + rename). */
export function writeNpy(file: string, array: NpyArray): void {
  writeFileAtomicSync(file, encodeNpy(array));
}
