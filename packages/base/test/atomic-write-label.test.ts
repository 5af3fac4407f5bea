import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicSync, writeJsonAtomicSync } from '@ccl/base/node';

describe('atomic writes: labels and JSON', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-atomic-label-'));

  it('a failure names what was written before the target file', () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    expect(() => writeFileAtomicSync(target, 'x', { what: 'safetensors' })).toThrow(new RegExp(`^safetensors ${target}: cannot write: `));
    expect(() => writeFileAtomicSync(target, 'x')).toThrow(new RegExp(`^${target}: cannot write: `));
  });

  it('writes 2-space indented JSON with a trailing newline', () => {
    const file = path.join(dir, 'v.json');
    writeJsonAtomicSync(file, { a: [1] });
    expect(fs.readFileSync(file, 'utf8')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});
