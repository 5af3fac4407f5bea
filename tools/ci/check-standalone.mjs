#!/usr/bin/env node
// After the build: every library works on its own, as a user installs it. Packs the libraries (npm pack),
// installs the tarballs with tfjs-core and its CPU backend into ONE temporary project, offline from the npm
// cache (no workspace links, no jest setup registering gradients), and runs, from ESM (.mjs) and from CJS
// (.cjs), a small script per package that computes a gradient through the package's public API and checks
// it is finite and non-zero, and runs each library README's example (the first ```js block after an
// `<!-- example -->` marker, as an .mjs file). Then bundles the main entries of @ccl/data, @ccl/encoders,
// @ccl/losses and @ccl/compose for the browser with esbuild and fails on any Node built-in they import. Last, installs
// the applications (@ccl/experiments, @ccl/queue and the umbrella @ccl/toolkit, which bring mediainfo.js) into
// the same project (and the web app, @ccl/web), checks that they did not pull in the 66 MB static ffmpeg build
// (@ffmpeg-installer/ffmpeg is an optional peer) nor the browser's tfjs backends (bundled into @ccl/web's
// app.js), and runs their README examples.
// Usage: node tools/ci/check-standalone.mjs [--keep] (--keep leaves the temporary project for inspection).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';

const started = Date.now();
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const keep = process.argv.includes('--keep');
const TFJS = ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'];
const BROWSER_ENTRIES = ['@ccl/data', '@ccl/encoders', '@ccl/losses', '@ccl/compose'];
// packages that depend on the media stack (mediainfo.js; ffmpeg is an optional peer): installed after the
// libraries' checks (@ccl/web through @ccl/experiments)
const APPLICATIONS = ['@ccl/experiments', '@ccl/queue', '@ccl/toolkit', '@ccl/web'];
const EXAMPLE_RE = /<!--\s*example\s*-->\s*\n```(?:js|javascript|mjs|ts)\n([\s\S]*?)\n```/;
const problems = [];
const log = (line) => console.log(`check-standalone: ${line}`);

// Prelude of every script: the CPU backend, and a check that a gradient is finite and non-zero.
const PRELUDE = {
  esm: "import * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\n",
  cjs: "const tf = require('@tensorflow/tfjs-core');\nrequire('@tensorflow/tfjs-backend-cpu');\n",
};
const CHECK = `
await tf.setBackend('cpu');
function check(what, values) {
  const a = Array.from(values);
  if (a.length === 0 || !a.every(Number.isFinite) || !a.some((v) => v !== 0)) throw new Error(what + ': gradient not finite and non-zero: ' + a.slice(0, 8));
  console.log(what + ': ' + a.length + ' finite gradient values, max |g| ' + Math.max(...a.map(Math.abs)).toPrecision(3));
}
`;

// Per package: the names it imports (ESM named imports; CJS destructures the same) and the body.
const SMOKE = {
  '@ccl/base': {
    names: ['createRng'],
    extra: { '@ccl/base/gradients': ['gradientsRegistered'] },
    body: `if (!gradientsRegistered()) throw new Error('no gradient functions registered');
const g = tf.grad((x) => tf.mean(tf.square(x)))(tf.tensor1d([1, -2, 3]));
check('base: d mean(x^2) / dx', g.dataSync());
// base bundles tfjs-core's gradient code: it must run on the installed tfjs-core's engine and Tensor class
if (Object.getPrototypeOf(g) !== tf.Tensor.prototype) throw new Error('the gradient is not a tensor of the installed tfjs-core');
if (tf.memory().numTensors !== 2) throw new Error('the engine tracks ' + tf.memory().numTensors + ' tensors, expected 2 (x and its gradient)');`,
  },
  '@ccl/data': {
    // not a training package (it registers no gradient functions): it loads alone and its helpers run
    names: ['encodeNpy', 'parseNpy'],
    extra: { '@ccl/data/node': ['readNpy', 'writeNpy'] },
    body: `const back = parseNpy(encodeNpy({ dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }));
if (back.shape.join() !== '2,2' || Array.from(back.data).join() !== '1,2,3,4') throw new Error('npy round trip changed the array');
const npyFile = (await import('node:path')).join((await import('node:os')).tmpdir(), 'ccl-standalone-' + process.pid + '.npy');
writeNpy(npyFile, back);
if (Array.from(readNpy(npyFile).data).join() !== '1,2,3,4') throw new Error('npy file round trip (@ccl/data/node) changed the array');
(await import('node:fs')).rmSync(npyFile);
console.log('data: loads alone, .npy round trip of a [2, 2] array (bytes, and a file through @ccl/data/node)');`,
  },
  '@ccl/encoders': {
    names: ['createEncoder'],
    body: `const enc = createEncoder('r2plus1d-18', { numClasses: 3, widthMultiplier: 1 / 16, seed: 4 });
const x = tf.randomNormal([1, 2, 8, 8, 3], 0, 1, 'float32', 5); // [B, T, H, W, C]
const g = tf.grad((v) => tf.sum(enc.apply(v).features))(x);
check('encoders: d sum(r2plus1d features) / d input', g.dataSync());`,
  },
  '@ccl/compose': {
    names: ['CompositionHead'],
    body: `const head = new CompositionHead({ teacherDim: 4, studentDim: 6, numClasses: 3, seed: 1 });
const ft = tf.randomNormal([2, 4], 0, 1, 'float32', 2); // [B, Dt]
const fs = tf.randomNormal([2, 6], 0, 1, 'float32', 3); // [B, Ds]
const g = tf.grad((s) => tf.sum(head.apply(ft, s).logits))(fs);
check('compose: d sum(composition logits) / d student features', g.dataSync());`,
  },
  '@ccl/losses': {
    names: ['multiClassNce'],
    body: `const f1 = tf.randomNormal([4, 5], 0, 1, 'float32', 1); // [B, D]
const f2 = tf.randomNormal([4, 5], 0, 1, 'float32', 2); // [B, D]
const g = tf.grad((a) => multiClassNce(a, f2, [0, 1, 0, 1], { temperature: 0.5 }))(f1);
check('losses: d multiClassNce / d f1', g.dataSync());`,
  },
  '@ccl/distill': {
    // distill's public API: the optimiser on a Linear layer of @ccl/compose (a dependency of distill)
    names: ['Sgd'],
    extra: { '@ccl/base': ['Linear'] },
    body: `const layer = new Linear('fc', 3, 2, { seed: 7 });
const sgd = new Sgd(layer.variables, { lr: 0.1, momentum: 0.9 });
const x = tf.randomNormal([4, 3], 0, 1, 'float32', 8); // [B, in]
const before = layer.weight.dataSync().slice();
const { grads } = tf.variableGrads(() => tf.mean(tf.square(layer.apply(x))), layer.variables);
check('distill: d loss / d Linear weight', grads[layer.weight.name].dataSync());
sgd.step(grads);
if (layer.weight.dataSync().every((v, i) => v === before[i])) throw new Error('Sgd.step left the weight unchanged');`,
  },
  '@ccl/eval': {
    // eval's gradients are its own (typed arrays, the linear probe), not tfjs's
    names: ['softmaxRegressionLossAndGradient'],
    body: `const x = { rows: 4, dims: 3, data: Float64Array.from([1, 0, 2, -1, 0.5, 1, 0, 2, -1, 1, 1, 0]) };
const y = Int32Array.from([0, 1, 0, 1]);
const theta = new Float64Array(2 * 4).fill(0.1);
const grad = new Float64Array(theta.length);
const loss = softmaxRegressionLossAndGradient(theta, grad, x, y, 2, 1e-2);
if (!Number.isFinite(loss)) throw new Error('probe loss not finite');
check('eval: d probe loss / d theta', grad);`,
  },
};

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The example of a package's README: the first ```js block after `<!-- example -->`, or null. */
function readmeExample(dir) {
  const file = path.join(dir, 'README.md');
  if (!fs.existsSync(file)) return null;
  const m = EXAMPLE_RE.exec(fs.readFileSync(file, 'utf8'));
  return m ? m[1] : null;
}

/** Runs a package's README example as an .mjs file in the project; a throw or a non-zero exit is a problem. */
function runExample(project, name) {
  const code = readmeExample(manifests[name]);
  if (code === null) return void problems.push(`${name}: README.md has no example (a \`\`\`js block after <!-- example -->)`);
  const file = path.join(project, `readme-${name.replace(/^@ccl\//, '')}.mjs`);
  fs.writeFileSync(file, `${code}\n`);
  const t0 = Date.now();
  try {
    const out = run(process.execPath, [file], project)
      .split('\n')
      .filter((l) => l && !/^=+$|Hi, looks like|tfjs-node|^\s*$/.test(l));
    log(`${name} README example ran (${((Date.now() - t0) / 1000).toFixed(1)} s): ${out.join(' | ').slice(0, 160)}`);
  } catch (e) {
    problems.push(
      `${name} README example: ${String(e.stderr || e.message)
        .trim()
        .split('\n')
        .slice(0, 8)
        .join(' | ')}`,
    );
  }
}

function script(kind, pkg, spec) {
  const lines = [PRELUDE[kind]];
  const imports = { [pkg]: spec.names, ...(spec.extra ?? {}) };
  for (const [name, names] of Object.entries(imports)) {
    lines.push(kind === 'esm' ? `import { ${names.join(', ')} } from '${name}';` : `const { ${names.join(', ')} } = require('${name}');`);
  }
  const body = `${CHECK}\n${spec.body}\n`;
  lines.push(kind === 'esm' ? body : `(async () => {\n${body}})().catch((e) => { console.error(e); process.exit(1); });`);
  return lines.join('\n');
}

// 1. which libraries are built
const manifests = {};
for (const dir of fs.readdirSync(path.join(root, 'packages'))) {
  const file = path.join(root, 'packages', dir, 'package.json');
  if (fs.existsSync(file)) manifests[JSON.parse(fs.readFileSync(file, 'utf8')).name] = path.join(root, 'packages', dir);
}
const libraries = Object.keys(SMOKE).filter((name) => {
  if (!manifests[name]) return (log(`${name}: skipped (no such package)`), false);
  if (!fs.existsSync(path.join(manifests[name], 'dist', 'index.mjs'))) {
    problems.push(`${name}: not built (run the build first: npx nx run-many -t build)`);
    return false;
  }
  return true;
});
// every other library (its README example runs too), and the applications, installed last
const built = (name) => {
  if (fs.existsSync(path.join(manifests[name], 'dist', 'index.mjs'))) return true;
  problems.push(`${name}: not built (run the build first: npx nx run-many -t build)`);
  return false;
};
const exampleLibraries = Object.keys(manifests)
  .filter((n) => !APPLICATIONS.includes(n) && (libraries.includes(n) || (!SMOKE[n] && built(n))))
  .sort();
const applications = APPLICATIONS.filter((n) => manifests[n] && built(n));
// the @ccl packages the libraries depend on must be packed too
const withDependencies = (names) => {
  const out = new Set(names);
  for (const name of [...out]) {
    const pkg = JSON.parse(fs.readFileSync(path.join(manifests[name], 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith('@ccl/')) out.add(dep);
  }
  return out;
};
const needed = withDependencies(exampleLibraries);
const neededByApplications = [...withDependencies(applications)].filter((n) => !needed.has(n));

// 2. pack them and install the tarballs with tfjs, offline, into one temporary project
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-standalone-'));
try {
  const tarballs = path.join(tmp, 'tarballs');
  const project = path.join(tmp, 'project');
  fs.mkdirSync(tarballs);
  fs.mkdirSync(project);
  // one folder per install step (libraries first, then the applications that bring the media stack)
  const pack = (names, folder) => {
    fs.mkdirSync(folder);
    const workspaces = names.map((name) => `--workspace=${path.relative(root, manifests[name])}`);
    return JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${folder}`, ...workspaces], root)).map((p) => ({
      ...p,
      file: path.join(folder, p.filename),
    }));
  };
  const packed = pack([...needed], path.join(tarballs, 'libraries'));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'ccl-standalone-check', private: true, version: '0.0.0' }, null, 2));
  const installInto = (tarballsOf, extra) => {
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...tarballsOf.map((p) => p.file), ...extra];
    try {
      run('npm', [...install, '--offline'], project);
    } catch (e) {
      log(
        `offline install failed (${
          String(e.stderr)
            .split('\n')
            .filter((l) => /ERR/.test(l))
            .slice(0, 12)
            .join(' | ') || e.message
        }); retrying with --prefer-offline`,
      );
      run('npm', [...install, '--prefer-offline'], project);
    }
  };
  installInto(packed, TFJS);
  log(
    `${packed.length} packages packed (${packed.map((p) => `${p.name} ${(p.size / 1024).toFixed(0)} KB`).join(', ')}), installed with ${TFJS.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );

  // media decoding is an optional part of @ccl/data ('@ccl/data/media', optional peer dependencies):
  // installing the libraries (distill and eval depend on data) must not pull in ffmpeg or mediainfo.js
  const pulled = ['@ffmpeg-installer/ffmpeg', 'mediainfo.js'].filter((d) => fs.existsSync(path.join(project, 'node_modules', d)));
  if (pulled.length) problems.push(`installing the libraries pulled in ${pulled.join(', ')} (@ccl/data's media part must stay optional)`);
  else log('the libraries installed without @ffmpeg-installer/ffmpeg and mediainfo.js (optional peers of @ccl/data/media)');

  // 3. a gradient through each library, from ESM and from CJS, each in a fresh process
  for (const name of libraries) {
    for (const kind of ['esm', 'cjs']) {
      const file = path.join(project, `${name.slice(5)}.${kind === 'esm' ? 'mjs' : 'cjs'}`);
      fs.writeFileSync(file, script(kind, name, SMOKE[name]));
      try {
        const out = run(process.execPath, [file], project)
          .split('\n')
          .filter((l) => l && !/^=+$|Hi, looks like|tfjs-node|^\s*$/.test(l));
        log(`${name} (${kind}): ${out.join('; ')}`);
      } catch (e) {
        problems.push(
          `${name} (${kind}): ${String(e.stderr || e.message)
            .trim()
            .split('\n')
            .slice(0, 6)
            .join(' | ')}`,
        );
      }
    }
  }

  // 3b. each library's README example
  for (const name of exampleLibraries) runExample(project, name);

  // 4. the browser: the main entries bundle with no Node built-in (tfjs-core stays external)
  const { build } = await import('esbuild');
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const name of BROWSER_ENTRIES.filter((n) => libraries.includes(n))) {
    const found = [];
    const flagBuiltins = {
      name: 'flag-node-builtins',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (builtins.has(args.path) || builtins.has(args.path.split('/')[0]) || args.path.startsWith('node:')) {
            found.push(`'${args.path}' imported by ${path.relative(project, args.importer)}`);
            return { path: args.path, external: true };
          }
          return undefined;
        });
      },
    };
    try {
      const result = await build({
        stdin: { contents: `export * from '${name}';`, resolveDir: project, loader: 'js' },
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
        metafile: true,
        external: ['@tensorflow/tfjs-core'],
        plugins: [flagBuiltins],
      });
      if (found.length) problems.push(`${name}: the browser bundle imports Node built-ins: ${found.join(', ')}`);
      else log(`${name}: bundles for the browser (${(result.outputFiles[0].contents.length / 1024).toFixed(0)} KB, no Node built-ins)`);
    } catch (e) {
      problems.push(`${name}: does not bundle for the browser: ${(e.errors ?? [e]).map((x) => x.text ?? x.message).join('; ')}`);
    }
  }

  // 5. the applications (they bring the media stack), added to the same project, and their README examples
  if (applications.length) {
    const t0 = Date.now();
    const packedApplications = pack(neededByApplications, path.join(tarballs, 'applications'));
    installInto(packedApplications, []);
    const heavy = ['@ffmpeg-installer/ffmpeg', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'].filter((d) =>
      fs.existsSync(path.join(project, 'node_modules', d)),
    );
    if (heavy.length) problems.push(`installing the applications pulled in ${heavy.join(', ')} (optional peers, or bundled into @ccl/web's app.js)`);
    else log('the applications installed without @ffmpeg-installer/ffmpeg (an optional peer) and the browser backends (bundled into app.js)');
    log(
      `${packedApplications.map((p) => `${p.name} ${(p.size / 1024).toFixed(0)} KB`).join(', ')} packed and installed (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    for (const name of applications) runExample(project, name);
  }
} finally {
  if (keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
for (const p of problems) console.error(`check-standalone: ${p}`);
log(`${problems.length ? 'FAILED' : 'ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (problems.length) process.exit(1);
