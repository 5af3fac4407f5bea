import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const lint = path.join(root, 'tools', 'ci', 'lint.mjs');

const made: string[] = [];
afterAll(() => {
  for (const ws of made) fs.rmSync(ws, { recursive: true, force: true });
});

/** A workspace of fake packages (layers as nx tags) using this repository's node_modules. */
function fakeWorkspace(packages: Record<string, { pkg: object; files: Record<string, string> }>): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-lint-'));
  made.push(ws);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(ws, 'node_modules'));
  for (const [folder, { pkg, files }] of Object.entries(packages)) {
    const dir = path.join(ws, 'packages', folder);
    fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ exports: { '.': {} }, ...pkg }));
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  }
  return ws;
}
// Built from pieces so that this test file itself does not trip the lint it tests.
const imports = (specs: [string, string][]): string =>
  specs.map(([spec, what]) => (what ? `import ${what} ${'fr' + 'om'} '${spec}';` : `import '${spec}';`)).join('\n');

describe('package-boundary lint (tools/ci/lint.mjs: dependency-cruiser, layers from nx tags)', () => {
  it('passes every real package', () => {
    const dirs = fs.readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
    expect(() => execFileSync(process.execPath, [lint, ...dirs], { encoding: 'utf8' })).not.toThrow();
  });

  it('passes with a temporary folder that holds no TypeScript file (a fresh machine: it failed with TS18003 "No inputs were found")', () => {
    const emptyTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-empty-tmp-'));
    made.push(emptyTmp);
    const r = spawnSync(process.execPath, [lint, path.join(root, 'packages', 'base')], { encoding: 'utf8', env: { ...process.env, TMPDIR: emptyTmp } });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, out: 'lint: base: ok' });
  });

  it('rejects imports against the layers, deep imports, backends, undeclared packages, circles and focused tests', () => {
    const ws = fakeWorkspace({
      losses: {
        pkg: { name: '@ccl/losses', nx: { tags: ['layer:1'] }, peerDependencies: { '@tensorflow/tfjs-core': '*' } },
        files: {
          'src/index.ts': imports([
            ['@ccl/distill', '{ x }'],
            ['@ccl/compose/src/head', '{ y }'],
            ['@tensorflow/tfjs-backend-wasm', ''],
            ['yaml', '* as yaml'],
            ['@tensorflow/tfjs-core', '* as tf'],
            ['../../compose/src/head', '{ w }'],
            ['./a', '{ a }'],
          ]),
          'src/a.ts': `${imports([['./index', '* as index']])}\nexport const a = index;\n`,
          'test/a.test.ts': `${'it'}.${'only'}('x', () => {});`,
        },
      },
      distill: { pkg: { name: '@ccl/distill', nx: { tags: ['layer:2'] } }, files: { 'src/index.ts': 'export const x = 1;\n' } },
      compose: {
        pkg: { name: '@ccl/compose', nx: { tags: ['layer:1'] } },
        files: { 'src/index.ts': 'export const z = 1;\n', 'src/head.ts': 'export const y = 1;\n' },
      },
    });
    const r = spawnSync(process.execPath, [lint, path.join(ws, 'packages', 'losses')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/layer-losses: packages\/losses\/src\/index\.ts → packages\/distill\/src\/index\.ts/);
    expect(r.stderr).toMatch(/undeclared-sibling-losses: packages\/losses\/src\/index\.ts → packages\/distill/);
    // '@ccl/compose/src/head' and '../../compose/src/head' both reach a file compose's exports map does not publish
    expect(r.stderr).toMatch(/deep-import-compose: packages\/losses\/src\/index\.ts → packages\/compose\/src\/head\.ts/);
    expect(r.stderr).toMatch(/library-names-a-backend: packages\/losses\/src\/index\.ts → .*@tensorflow\/tfjs-backend-wasm/);
    expect(r.stderr).toMatch(/not-to-unlisted: packages\/losses\/src\/index\.ts → .*node_modules\/yaml\//);
    expect(r.stderr).toMatch(/no-circular: packages\/losses\/src\/(index|a)\.ts →/);
    expect(r.stderr).toMatch(/packages\/losses\/test\/a\.test\.ts: focused\/skipped\/todo test/);
    expect(r.stderr).not.toMatch(/tfjs-core/);
  });

  it('refuses an import circle anywhere, type-only imports included', () => {
    const circle = (dir: string) => ({
      [`src/${dir}a.ts`]: `${imports([[`./b`, 'type { B }']])}\nexport type A = { b: B };\n`,
      [`src/${dir}b.ts`]: `${imports([[`./a`, 'type { A }']])}\nexport type B = { a?: A };\n`,
    });
    const ws = fakeWorkspace({ queue: { pkg: { name: '@ccl/queue', nx: { tags: ['layer:3'] } }, files: { 'src/index.ts': 'export {};\n', ...circle('') } } });
    const r = spawnSync(process.execPath, [lint, path.join(ws, 'packages', 'queue')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-circular: packages\/queue\/src\/(a|b)\.ts →/);
  });
  it("keeps the main entry of a package with a './node' entry free of Node built-ins and node-tar, through any depth", () => {
    const nodeExports = { exports: { '.': {}, './node': {} } };
    const ws = fakeWorkspace({
      data: {
        pkg: { name: '@ccl/data', nx: { tags: ['layer:1'] }, dependencies: { tar: '*' }, ...nodeExports },
        files: {
          'src/index.ts': `${imports([['./names', '{ n }']])}\nexport const x = n;\n`,
          'src/names.ts': `${imports([['./files', '{ f }']])}\nexport const n = f;\n`,
          'src/files.ts': `${imports([
            ['node:fs', '* as fs'],
            ['tar', '* as tar'],
          ])}\nexport const f = [fs, tar];\n`,
          // the Node entry may use both
          'src/node.ts': `${imports([
            ['./files', '{ f }'],
            ['node:path', '* as path'],
          ])}\nexport const y = [f, path];\n`,
        },
      },
      // no './node' entry: its main entry is not declared browser-safe
      eval: {
        pkg: { name: '@ccl/eval', nx: { tags: ['layer:1'] } },
        files: { 'src/index.ts': `${imports([['node:os', '* as os']])}\nexport const z = os;\n` },
      },
    });
    const r = spawnSync(process.execPath, [lint, path.join(ws, 'packages', 'data'), path.join(ws, 'packages', 'eval')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/browser-entry-reaches-node: packages\/data\/src\/index\.ts → fs/);
    expect(r.stderr).toMatch(/browser-entry-reaches-node: packages\/data\/src\/index\.ts → .*node_modules\/tar\//);
    expect(r.stderr).not.toMatch(/browser-entry-reaches-node: packages\/(data\/src\/node|eval\/src\/index)\.ts/);
    expect(r.stderr).not.toMatch(/→ path$/m);
  });

  it('refuses a package without a layer tag', () => {
    const ws = fakeWorkspace({ base: { pkg: { name: '@ccl/base' }, files: { 'src/index.ts': 'export {};\n' } } });
    const r = spawnSync(process.execPath, [lint, path.join(ws, 'packages', 'base')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/packages\/base\/package\.json: no nx tag 'layer:<n>'/);
  });
});
