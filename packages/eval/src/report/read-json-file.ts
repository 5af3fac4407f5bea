import * as fs from 'node:fs';

/** A JSON file's value; throws one line naming the file when it cannot be read or parsed. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`@ccl/eval: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`@ccl/eval: ${file} is not valid JSON (${(e as Error).message})`);
  }
}
