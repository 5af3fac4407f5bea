import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPathInside, realPathOf } from '../src/node';

describe('realPathOf / isPathInside', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-real-path-')));
  fs.mkdirSync(path.join(dir, 'a'));
  fs.mkdirSync(path.join(dir, 'elsewhere'));
  fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'a', 'link'));
  fs.writeFileSync(path.join(dir, 'a', 'file'), '');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves the links of the existing part of a path, and keeps the missing rest', () => {
    expect(realPathOf(path.join(dir, 'a', 'file'))).toBe(path.join(dir, 'a', 'file'));
    expect(realPathOf(path.join(dir, 'a', 'link', 'new', 'x'))).toBe(path.join(dir, 'elsewhere', 'new', 'x'));
    expect(realPathOf(path.join(dir, 'a', 'missing', '..', 'link'))).toBe(path.join(dir, 'elsewhere')); // made absolute (normalised) first
    expect(() => realPathOf(path.join(dir, 'a', 'file', 'below'))).not.toThrow(); // ENOTDIR: the rest cannot exist
  });

  it('isPathInside compares whole path components', () => {
    expect(isPathInside('/data', '/data')).toBe(true);
    expect(isPathInside('/data', '/data/x/y')).toBe(true);
    expect(isPathInside('/data/', '/data/x')).toBe(true);
    expect(isPathInside('/data', '/data2/x')).toBe(false);
    expect(isPathInside('/data', '/')).toBe(false);
    expect(isPathInside('/', '/etc')).toBe(true);
  });
});
