import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// No module of this package imports itself through others (issue 29: the config <-> methods circle). Type
// imports count: a circle of types is still two modules that cannot be read or moved one without the other.

const SRC = path.resolve(__dirname, '../src');
const IMPORT = /^\s*(?:import|export)\b[^'";]*?(?:from\s*)?['"](\.{1,2}\/[^'"]*)['"]/gm;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(root: string, from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  const file = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
  if (!file) throw new Error(`${path.relative(root, from)}: cannot resolve '${spec}'`);
  return file;
}

/** Every circle a depth-first walk over the relative imports of `root`'s .ts files meets, as `a.ts -> b.ts -> a.ts`. */
function importCircles(root: string): string[] {
  const files = sourceFiles(root);
  const imports = new Map(files.map((f) => [f, [...fs.readFileSync(f, 'utf8').matchAll(IMPORT)].map((m) => resolveImport(root, f, m[1]!))]));
  const done = new Set<string>();
  const stack: string[] = [];
  const circles: string[] = [];
  const visit = (file: string): void => {
    stack.push(file);
    for (const next of imports.get(file) ?? []) {
      if (stack.includes(next)) circles.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(root, f)).join(' -> '));
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    done.add(file);
  };
  files.forEach((f) => done.has(f) || visit(f));
  return circles;
}

describe('imports of @ccl/distill', () => {
  it('form no circle', () => {
    expect(sourceFiles(SRC).length).toBeGreaterThan(10);
    expect(importCircles(SRC)).toEqual([]);
  });

  it('the walk finds a circle where there is one (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-circles-'));
    fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
    fs.writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a';\nexport type B = typeof a;\n");
    fs.writeFileSync(path.join(dir, 'c.ts'), "import './a';\n");
    expect(importCircles(dir)).toEqual(['a.ts -> b.ts -> a.ts']);
    fs.rmSync(dir, { recursive: true });
  });
});
