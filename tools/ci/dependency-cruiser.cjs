// The module-boundary rules, checked by dependency-cruiser (each package's `lint` target runs it through
// tools/ci/lint.mjs). The layers are not written here: each package declares its own as an nx project tag
// (package.json "nx": { "tags": ["layer:<n>"] }, shown by `npx nx graph` and `npx nx show project <name>`);
// a package may import only packages of a LOWER layer, and only their public entries (the source files its
// exports map publishes). Tag `imports-backends` marks the packages that may name a tfjs backend (the
// backend picker and the applications). Run from the workspace root (CCL_LINT_ROOT, else the current folder);
// CCL_LINT_PACKAGES (comma-separated folder names) limits which packages' own files are followed.
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const root = process.env.CCL_LINT_ROOT || process.cwd();
const packagesDir = path.join(root, 'packages');
const packages = fs
  .readdirSync(packagesDir)
  .filter((dir) => fs.existsSync(path.join(packagesDir, dir, 'package.json')))
  .map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(packagesDir, dir, 'package.json'), 'utf8'));
    const tags = pkg.nx?.tags ?? [];
    const layerTag = tags.find((t) => t.startsWith('layer:'));
    if (layerTag === undefined) throw new Error(`packages/${dir}/package.json: no nx tag 'layer:<n>' (the module-boundary layers are nx tags)`);
    // public entries: './x' in the exports map is src/x.ts ('.' is src/index.ts)
    const entries = Object.keys(pkg.exports ?? { '.': null })
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'index' : k.slice(2)));
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    return { dir, name: pkg.name, layer: Number(layerTag.slice(6)), importsBackends: tags.includes('imports-backends'), entries, declared };
  });
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const anyOf = (dirs) => `^packages/(${dirs.map(esc).join('|')})/`;
// source folders bundled at build time (not loaded from node_modules at run time): they may import devDependencies
const BUNDLED = ['^packages/web/src/page/'];
const BACKENDS = '(^|/)@tensorflow/tfjs-(node|node-gpu|backend-[a-z]+)(/|$)';

const forbidden = [
  {
    name: 'no-circular',
    comment: 'an import circle, type-only imports included (a shared type lives in a module both sides import)',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
  {
    name: 'src-outside-package',
    comment: "a package's sources import nothing of tools/",
    severity: 'error',
    from: { path: '^packages/[^/]+/src/' },
    to: { path: '^tools/' },
  },
  {
    name: 'test-outside-package',
    comment: 'tests may also use tools/fixtures and tools/system, nothing else of tools/',
    severity: 'error',
    from: { path: '^packages/[^/]+/test/' },
    to: { path: '^tools/(?!fixtures/|system/)' },
  },
  {
    name: 'not-to-unresolvable',
    comment: "an import that does not resolve: a typo, or a path another package's exports map does not publish (@ccl/x/src/...)",
    severity: 'error',
    from: { path: '^packages/' },
    to: { couldNotResolve: true },
  },
  {
    name: 'not-to-unlisted',
    comment: "a package's sources import only npm packages its package.json declares (dependencies or peerDependencies)",
    severity: 'error',
    from: { path: '^packages/[^/]+/src/' },
    // mediainfo.js (declared: an optional peer of @ccl/data, a dependency of the applications) is not matched to
    // its package.json entry by dependency-cruiser, whose module-name parsing takes the '.js' for a file extension
    to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/mediainfo\\.js/' },
  },
  {
    name: 'not-to-dev-dependency',
    comment: 'devDependencies are not installed for users: only code bundled at build time may import them',
    severity: 'error',
    from: { path: '^packages/[^/]+/src/', pathNot: BUNDLED },
    to: { dependencyTypes: ['npm-dev'] },
  },
];
for (const p of packages) {
  const higher = packages.filter((q) => q !== p && q.layer >= p.layer).map((q) => q.dir);
  if (higher.length)
    forbidden.push({
      name: `layer-${p.dir}`,
      comment: `${p.name} (layer ${p.layer}) imports only lower layers (nx tags 'layer:<n>'): base -> data/encoders/compose/losses/backends -> distill -> eval -> experiments -> queue -> toolkit -> web`,
      severity: 'error',
      from: { path: `^packages/${esc(p.dir)}/(src|test)/` },
      to: { path: anyOf(higher) },
    });
  const undeclared = packages.filter((q) => q !== p && !p.declared.has(q.name)).map((q) => q.dir);
  if (undeclared.length)
    forbidden.push({
      name: `undeclared-sibling-${p.dir}`,
      comment: `${p.name}'s package.json does not declare this workspace package`,
      severity: 'error',
      from: { path: `^packages/${esc(p.dir)}/src/` },
      to: { path: anyOf(undeclared) },
    });
  forbidden.push({
    name: `deep-import-${p.dir}`,
    comment: `import ${p.name}'s public API (its exports map: ${p.entries.map((e) => `src/${e}.ts`).join(', ')}), not its internals`,
    severity: 'error',
    from: { path: '^packages/', pathNot: `^packages/${esc(p.dir)}/` },
    to: { path: `^packages/${esc(p.dir)}/`, pathNot: `^packages/${esc(p.dir)}/src/(${p.entries.map(esc).join('|')})\\.ts$` },
  });
}
// A package with a './node' subpath keeps its Node-only API there: its main entry works in a browser, so nothing
// reachable from src/index.ts is a Node built-in or a Node-only npm package (the bundlers would need stubs)
const browserSafe = packages.filter((p) => p.entries.includes('node')).map((p) => p.dir);
if (browserSafe.length)
  forbidden.push({
    name: 'browser-entry-reaches-node',
    comment:
      "a package with a './node' entry keeps its main entry browser-safe: no Node built-in (node:fs, ...) nor Node-only package (tar, minizlib) is reachable from src/index.ts; move the file I/O to src/node.ts",
    severity: 'error',
    from: { path: `${anyOf(browserSafe)}src/index\\.ts$` },
    to: { path: [`^(node:)?(${builtinModules.map(esc).join('|')})$`, '(^|/)node_modules/(tar|minizlib)/'], reachable: true },
  });
const noBackends = packages.filter((p) => !p.importsBackends).map((p) => p.dir);
forbidden.push({
  name: 'library-names-a-backend',
  comment: 'libraries never import a tfjs backend (they peer-depend on @tensorflow/tfjs-core); the application picks one (@ccl/backends)',
  severity: 'error',
  from: { path: `${anyOf(noBackends)}src/` },
  to: { path: BACKENDS },
});

// tsconfig paths naming every public entry exactly, generated from the exports maps (a wildcard in the middle
// of a pattern, tsconfig.base.json's '@ccl/*/node', is not resolved by dependency-cruiser's path plugin)
const paths = Object.fromEntries(
  packages.flatMap((p) => p.entries.map((e) => [`${p.name}${e === 'index' ? '' : `/${e}`}`, [`packages/${p.dir}/src/${e}.ts`]])),
);
const entriesTsconfig = path.join(
  require('node:os').tmpdir(),
  `ccl-lint-${require('node:crypto').createHash('sha256').update(root).digest('hex').slice(0, 12)}.json`,
);
// written atomically: nx lints two packages at once, each process writing the same file
// `include` names the workspace's sources by absolute path: without it TypeScript looks for inputs next to
// the file, in the temporary folder, and fails (TS18003) where that folder holds no .ts file (a fresh machine)
fs.writeFileSync(
  `${entriesTsconfig}.${process.pid}`,
  JSON.stringify({ compilerOptions: { baseUrl: root, paths }, include: [path.join(root, 'packages', '*', 'src', '**', '*')] }),
);
fs.renameSync(`${entriesTsconfig}.${process.pid}`, entriesTsconfig);
const only = (process.env.CCL_LINT_PACKAGES || '').split(',').filter(Boolean);
module.exports = {
  forbidden,
  options: {
    // follow the linted packages' own files; stop at other packages and node_modules (cross-package circles
    // cannot exist: the layer rules forbid every import that would close one)
    doNotFollow: { path: only.length ? ['node_modules', `^packages/(?!(${only.map(esc).join('|')})/)`] : ['node_modules'] },
    exclude: { path: '^packages/[^/]+/dist/' },
    tsPreCompilationDeps: true,
    // a workspace import resolves to the source file of the entry it names (as tsconfig.base.json's paths and
    // jest map it); a path no exports map publishes (@ccl/x/src/...) does not resolve
    tsConfig: { fileName: entriesTsconfig },
    combinedDependencies: false,
  },
};
