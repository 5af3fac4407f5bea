import * as fs from 'node:fs';
import { writeJsonAtomicSync } from '@ccl/base/node';
import { validateManifest, type Manifest } from './schema';

/** Reads and validates a manifest JSON file. */
export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read manifest: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: manifest is not valid JSON: ${(err as Error).message}`);
  }
  return validateManifest(value, file);
}

/** Validates and writes a manifest atomically. */
export function writeManifest(file: string, manifest: Manifest): void {
  validateManifest(manifest, file);
  writeJsonAtomicSync(file, manifest);
}
