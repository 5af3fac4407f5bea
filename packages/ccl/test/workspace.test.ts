import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const lint = path.join(root, 'tools', 'ci', 'lint.mjs');

function fakePackage(folder: string, pkg: object, files: Record<string, string>): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-lint-')), folder);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('package-boundary lint (tools/ci/lint.mjs)', () => {
  it('passes every real package', () => {
    const dirs = fs.readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
    expect(() => execFileSync(process.execPath, [lint, ...dirs], { encoding: 'utf8' })).not.toThrow();
  });

  it('rejects imports against the dependency direction, deep imports, backends and undeclared packages', () => {
    const dir = fakePackage(
      'losses',
      { name: '@ccl/losses', peerDependencies: { '@tensorflow/tfjs-core': '*' } },
      {
        // Built from pieces so that this test file itself does not trip the lint it tests.
        'src/index.ts': [
          ['@ccl/distill', '{ x }'],
          ['@ccl/compose/src/head', '{ y }'],
          ['@tensorflow/tfjs-backend-wasm', ''],
          ['left-pad', 'z'],
          ['@tensorflow/tfjs-core', '* as tf'],
          ['../../compose/src/index', '{ w }'],
        ]
          .map(([spec, what]) => (what ? `import ${what} ${'fr' + 'om'} '${spec}';` : `import '${spec}';`))
          .join('\n'),
        'test/a.test.ts': `${'it'}.${'only'}('x', () => {});`,
      },
    );
    const r = spawnSync(process.execPath, [lint, dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/'losses' may not import '@ccl\/distill'/);
    expect(r.stderr).toMatch(/deep import '@ccl\/compose\/src\/head'/);
    expect(r.stderr).toMatch(/never import a backend/);
    expect(r.stderr).toMatch(/imports 'left-pad' which package.json does not declare/);
    expect(r.stderr).toMatch(/relative import '..\/..\/compose\/src\/index' leaves the package/);
    expect(r.stderr).toMatch(/focused\/skipped\/todo test/);
    expect(r.stderr).not.toMatch(/tfjs-core/);
  });
});
