import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

// '@ccl/base/gradients' BUNDLES tfjs-core's gradient modules (package.json "tsup.noExternal"): its build
// carries the gradients of the tfjs-core installed in the workspace, whatever tfjs-core a user installs.
// So the peer range says what is bundled: that tfjs-core's major.minor, patches only (~X.Y.Z).
const baseDir = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(baseDir, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  tsup: { noExternal: string[] };
};
const bundledFrom = require.resolve('@tensorflow/tfjs-core/package.json', { paths: [baseDir] });
const bundled = (JSON.parse(fs.readFileSync(bundledFrom, 'utf8')) as { version: string }).version;

describe('@ccl/base/gradients and the tfjs-core peer range', () => {
  it('bundles the gradient modules of the tfjs-core it is built with', () => {
    expect(manifest.tsup.noExternal).toContain('@tensorflow/tfjs-core/dist/register_all_gradients');
  });

  it('peer-depends on exactly the major.minor it bundles (a tilde range), not on later minors', () => {
    const range = manifest.peerDependencies['@tensorflow/tfjs-core'];
    const m = /^~(\d+)\.(\d+)\.(\d+)$/.exec(range);
    expect(m).not.toBeNull();
    const [major, minor, patch] = bundled.split('.').map(Number);
    expect([Number(m![1]), Number(m![2])]).toEqual([major, minor]);
    expect(Number(m![3])).toBeLessThanOrEqual(patch);
  });

  it("cannot use the installed tfjs-core's own gradient modules instead: Node does not load them (why they are bundled)", () => {
    // tfjs-core 4.x ships its gradients only as ES modules with extensionless relative imports
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@tensorflow/tfjs-core/dist/register_all_gradients.js')"], {
      cwd: baseDir,
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot use import statement|SyntaxError/);
  });
});
