#!/usr/bin/env node
// The installed-package suite: what a user installs must work. After the build, packs every publishable package
// (npm pack, into ONE folder: two tarballs with one file name would silently lose one), installs the tarballs
// into an empty project outside the workspace (from npm's cache where it can, as a user's `npm install` would lay
// them out: no workspace links, no jest module mapping), and then, from that project only:
//   1. one copy of each module per process: every package and subpath entry, loaded by `require` and by
//      `import` in one Node process, is one module object; the registries (datasets, encoders, losses,
//      methods, schedules, compositions) list the same names whichever way they are read, a loss registered
//      through `import` is seen through `require`, and an environment error thrown by `@ccl/data/media` is an
//      instance of the one exported `EnvironmentError`;
//   2. each subpath entry alone (a fresh process loading nothing else, by `require` and by `import`) works:
//      `prepareDataset` from `@ccl/data/media` alone knows the built-in datasets;
//   3. the real-data path through the INSTALLED `ccl` command, on small real media made with ffmpeg (the
//      system's `ffmpeg` when on PATH, else $CCL_FFMPEG, else @ffmpeg-installer/ffmpeg, installed explicitly as
//      the optional peer it is): a UCF101 layout
//      with the official split lists (.avi, CRLF line ends) -> `data prepare --dataset ucf101` and `ucf51`; an
//      ActivityNet JSON; a VGGSound CSV with starts >= 10 (each file the 10-s clip itself); a class-folder
//      dataset with a carved test split and one with train/ and test/ folders; `--dataset manifest` (no
//      --root); `--shard` and `--queue` (with `ccl worker` and `ccl queue status`, on a real redis-server);
//      then `weights import` of a real torch.save file (and a hostile one, refused), `features extract` with both
//      teachers (and from the .pth directly), `train` (CCL-AI, tiny), `eval`, `report`, `export` and a
//      tiny `bench synthetic`. Every command's stderr is checked for noise ccl does not mean to print (tfjs's
//      Node banner, Dawn's and the Vulkan loader's warnings).
// Usage: node tools/ci/check-installed.mjs [--keep] [--only STEP,...]   (--keep leaves the temporary project)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const keep = process.argv.includes('--keep');
const TFJS = ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'];
// ffmpeg is an optional peer of every package (a system ffmpeg or $CCL_FFMPEG does as well): installed here
// explicitly, as the "ffmpeg not found" message tells a user to, so that a machine without one runs step 3
const FFMPEG = ['@ffmpeg-installer/ffmpeg@^1.1.0'];
const problems = [];
const log = (line) => console.log(`check-installed: ${line}`);
const seconds = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
/** What ccl does not mean to print: tfjs's Node banner, Dawn's and the Vulkan loader's own warnings. */
const NOISE = /Hi, looks like you are running TensorFlow\.js|XDG_RUNTIME_DIR|Couldn't load Vulkan|ArrayDynamicIndexing|^Warning: /m;

function fail(what, detail) {
  problems.push(`${what}: ${String(detail).trim().split('\n').slice(0, 10).join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------------------
// 0. pack every publishable package into one folder, install them all into an empty project
const manifests = new Map(); // name -> { dir, pkg }
for (const dir of fs.readdirSync(path.join(root, 'packages'))) {
  const file = path.join(root, 'packages', dir, 'package.json');
  if (!fs.existsSync(file)) continue;
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (pkg.private) continue;
  if (!fs.existsSync(path.join(root, 'packages', dir, pkg.main ?? 'dist/index.mjs'))) {
    console.error(`check-installed: ${pkg.name} is not built (run the build first: npx nx run-many -t build)`);
    process.exit(1);
  }
  manifests.set(pkg.name, { dir: path.join(root, 'packages', dir), pkg });
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-installed-'));
const tarballs = path.join(tmp, 'tarballs');
const project = path.join(tmp, 'project');
fs.mkdirSync(tarballs);
fs.mkdirSync(project);
const children = [];
let exitCode = 0;
try {
  let t0 = Date.now();
  const workspaces = [...manifests.values()].map((m) => `--workspace=${path.relative(root, m.dir)}`);
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${tarballs}`, ...workspaces], { cwd: root, encoding: 'utf8' }),
  );
  const fileNames = packed.map((p) => p.filename);
  const clashes = fileNames.filter((f, i) => fileNames.indexOf(f) !== i);
  if (clashes.length) fail('npm pack', `two packages pack to the same file name: ${clashes.join(', ')}`);
  if (fs.readdirSync(tarballs).length !== manifests.size)
    fail('npm pack', `${manifests.size} packages but ${fs.readdirSync(tarballs).length} tarballs in one folder`);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'ccl-installed-check', private: true, version: '0.0.0' }, null, 2));
  const install = [
    'install',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--no-package-lock',
    ...packed.map((p) => path.join(tarballs, p.filename)),
    ...TFJS,
    ...FFMPEG,
  ];
  // --prefer-offline, not --offline: offline, npm drops an optional dependency whose metadata is not in its cache
  // without a word (@ffmpeg-installer/ffmpeg's linux-x64 binary on a fresh machine, so the check found no ffmpeg)
  execFileSync('npm', [...install, '--prefer-offline'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  log(`${packed.length} tarballs (${fileNames.join(', ')}) installed into ${project} (${seconds(t0)})`);

  // -------------------------------------------------------------------------------------------------------
  // 1. one copy of each module per process
  t0 = Date.now();
  const entries = [];
  for (const [name, { pkg }] of manifests) {
    for (const key of Object.keys(pkg.exports ?? { '.': null })) {
      if (key === './package.json') continue;
      entries.push(key === '.' ? name : `${name}/${key.slice(2)}`);
    }
  }
  fs.writeFileSync(
    path.join(project, 'one-copy.cjs'),
    `// loads every entry by require and by import in ONE process
const entries = ${JSON.stringify(entries)};
const problems = [];
(async () => {
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  for (const e of entries) {
    const viaRequire = require(e);
    const viaImport = await import(e);
    if (viaRequire !== viaImport) problems.push(e + ': require() and import() give two module objects');
  }
  const listers = { '@ccl/data/node': 'listDatasets', '@ccl/encoders': 'listEncoders', '@ccl/losses': 'listLosses', '@ccl/distill': 'listMethods', '@ccl/compose': 'listCompositions' };
  const listed = {};
  for (const [pkg, fn] of Object.entries(listers)) {
    const a = require(pkg)[fn]();
    const b = (await import(pkg))[fn]();
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(pkg + '.' + fn + ': require lists [' + a + '], import lists [' + b + ']');
    if (a.length === 0) problems.push(pkg + '.' + fn + ': lists nothing');
    listed[fn] = a.length;
  }
  const toolkit = require('@ccl/toolkit');
  if (toolkit.data.EnvironmentError !== require('@ccl/data').EnvironmentError) problems.push('@ccl/toolkit re-exports another copy of @ccl/data');
  // a loss registered through import is seen through require (and the umbrella)
  const { registerLoss } = await import('@ccl/losses');
  const registered = require('@ccl/losses').listLosses();
  const name = 'installed-check-loss';
  registerLoss(name, () => ({ name, compute: () => tf.scalar(0) }));
  if (!require('@ccl/losses').listLosses().includes(name)) problems.push('a loss registered through import() is missing from the require() registry');
  if (!toolkit.losses.listLosses().includes(name)) problems.push("a loss registered through import() is missing from @ccl/toolkit's losses");
  // an environment error of @ccl/data/media is the one exported EnvironmentError, whichever way it is loaded
  process.env.CCL_FFMPEG = '/nonexistent/ffmpeg';
  let err = null;
  try { require('@ccl/data/media').resolveFfmpegPath(); } catch (e) { err = e; }
  if (!err) problems.push('resolveFfmpegPath accepted a missing CCL_FFMPEG');
  else {
    for (const [how, mod] of [['require', require('@ccl/data')], ['import', await import('@ccl/data')], ['@ccl/toolkit', toolkit.data]])
      if (!(err instanceof mod.EnvironmentError)) problems.push("an error of @ccl/data/media is not an instance of @ccl/data's EnvironmentError (" + how + ')');
  }
  console.log(JSON.stringify({ problems, listed, entries: entries.length, lossesBefore: registered.length }));
})().catch((e) => { console.log(JSON.stringify({ problems: ['threw: ' + (e && e.stack || e)] })); });
`,
  );
  {
    const r = spawnSync(process.execPath, ['one-copy.cjs'], { cwd: project, encoding: 'utf8' });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) fail('one copy per process', r.stderr || r.stdout);
    else {
      const res = JSON.parse(line);
      for (const p of res.problems) fail('one copy per process', p);
      if (res.problems.length === 0)
        log(`one copy per process: ${res.entries} entries, require === import for each; registries ${JSON.stringify(res.listed)} (${seconds(t0)})`);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // 2. each entry alone, by require and by import, in a fresh process; prepareDataset from the media entry alone
  t0 = Date.now();
  const alone = path.join(tmp, 'alone');
  fs.mkdirSync(alone);
  for (const e of entries) {
    for (const kind of ['cjs', 'mjs']) {
      const load = kind === 'cjs' ? `const m = require('${e}');` : `const m = await import('${e}');`;
      const body =
        e === '@ccl/data/media'
          ? `await m.prepareDataset({ dataset: 'folder', args: { root: ${JSON.stringify(path.join(alone, 'none'))} }, outDir: ${JSON.stringify(alone)} }).then(
  () => { throw new Error('prepareDataset accepted a missing root'); },
  (err) => { if (!/not found \\(--root\\)/.test(err.message)) throw err; });`
          : `if (Object.keys(m).length === 0) throw new Error('no exports');`;
      const file = path.join(project, `alone-${e.replace(/[@/]/g, '_')}.${kind}`);
      fs.writeFileSync(
        file,
        kind === 'cjs' ? `(async () => {\n${load}\n${body}\n})().catch((e) => { console.error(e.message); process.exit(1); });\n` : `${load}\n${body}\n`,
      );
      const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
      if (r.status !== 0) fail(`${e} alone (${kind === 'cjs' ? 'require' : 'import'})`, r.stderr || `exit ${r.status}`);
      else if (NOISE.test(r.stderr)) fail(`${e} alone (${kind === 'cjs' ? 'require' : 'import'}) printed noise`, r.stderr);
    }
  }
  log(`${entries.length} entries each loaded alone by require and by import (${seconds(t0)})`);

  // -------------------------------------------------------------------------------------------------------
  // 3. the real-data path through the installed `ccl`
  const bin = path.join(project, 'node_modules', '.bin', 'ccl');
  if (!fs.existsSync(bin)) throw new Error(`the installed project has no ${bin}`);
  const ffmpeg = findFfmpeg();
  log(`media made with ${ffmpeg}`);
  const work = path.join(tmp, 'work');
  const media = path.join(work, 'media');
  fs.mkdirSync(media, { recursive: true });
  const env = { ...process.env, CCL_WASM_THREADS: '1' };
  delete env.CCL_BACKEND;
  delete env.CCL_DEBUG;

  /** Runs the installed `ccl`; checks its exit code and that its stderr holds nothing ccl does not mean to say. */
  const ccl = (args, { code = 0, extraEnv = {} } = {}) => {
    const r = spawnSync(bin, args, { cwd: work, encoding: 'utf8', env: { ...env, ...extraEnv }, maxBuffer: 64 << 20 });
    const what = `ccl ${args.slice(0, 3).join(' ')}`;
    if (r.status !== code) fail(`${what} exited ${r.status} (expected ${code})`, `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-8).join('\n'));
    if (NOISE.test(r.stderr))
      fail(
        `${what} printed noise on stderr`,
        r.stderr
          .split('\n')
          .filter((l) => NOISE.test(l))
          .join('\n'),
      );
    return r;
  };
  const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
  const expect = (what, ok, detail = '') => {
    if (!ok) fail(what, detail || 'not as expected');
  };
  const makeVideo = (file, { seconds: secs = 1.6, audio = true, hz = 440, pattern = 'testsrc' } = {}) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const avi = file.endsWith('.avi');
    const args = ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `${pattern}=size=48x32:rate=10:duration=${secs}`];
    if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=32000:duration=${secs}`);
    args.push(...(avi ? ['-c:v', 'mpeg4'] : ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']));
    if (audio) args.push(...(avi ? ['-c:a', 'pcm_s16le'] : ['-c:a', 'aac']), '-shortest');
    execFileSync(ffmpeg, [...args, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  };

  // 3a. UCF101: the official layout (UCF-101/<Class>/v_<Class>_gNN_cMM.avi) and split lists with CRLF line ends;
  // one class without sound, so ucf51 (the classes with audio, chosen after probing) leaves it out
  t0 = Date.now();
  const ucfClasses = ['ApplyEyeMakeup', 'Basketball', 'Typing'];
  const ucfRoot = path.join(media, 'UCF-101');
  const lists = path.join(media, 'ucfTrainTestlist');
  fs.mkdirSync(lists, { recursive: true });
  const trainList = [];
  const testList = [];
  ucfClasses.forEach((c, k) => {
    for (const g of [1, 2, 8, 9, 10]) {
      const name = `v_${c}_g${String(g).padStart(2, '0')}_c01.avi`;
      makeVideo(path.join(ucfRoot, c, name), { audio: c !== 'Typing', hz: 300 + 200 * k, pattern: k === 1 ? 'rgbtestsrc' : 'testsrc' });
      if (g <= 7) testList.push(`${c}/${name}`);
      else trainList.push(`${c}/${name} ${k + 1}`);
    }
  });
  fs.writeFileSync(path.join(lists, 'classInd.txt'), ucfClasses.map((c, k) => `${k + 1} ${c}\r\n`).join(''));
  fs.writeFileSync(path.join(lists, 'trainlist01.txt'), trainList.map((l) => `${l}\r\n`).join(''));
  fs.writeFileSync(path.join(lists, 'testlist01.txt'), testList.map((l) => `${l}\r\n`).join(''));
  const prep = (name) => path.join(work, 'prepared', name);
  ccl([
    'data',
    'prepare',
    '--dataset',
    'ucf101',
    '--root',
    ucfRoot,
    '--annotations',
    lists,
    '--split',
    '1',
    '--out',
    prep('ucf101'),
    '--short-side',
    '32',
    '--audio-rate',
    '32000',
    '--val',
    '0.2',
  ]);
  {
    const m = readJson(path.join(prep('ucf101'), 'manifest.json'));
    const count = (s) => m.samples.filter((x) => x.split === s).length;
    expect(
      'ucf101 manifest: 3 classes, 6 test videos (groups 1-2), 9 train + val',
      m.classes.length === 3 && count('test') === 6 && count('train') + count('val') === 9,
      JSON.stringify({ classes: m.classes, test: count('test'), train: count('train'), val: count('val') }),
    );
  }
  ccl(['data', 'prepare', '--dataset', 'ucf51', '--root', ucfRoot, '--out', prep('ucf51'), '--short-side', '32']);
  {
    const m = readJson(path.join(prep('ucf51'), 'manifest.json'));
    expect(
      'ucf51 keeps the classes with audio (Typing has none)',
      JSON.stringify(m.classes) === JSON.stringify(['ApplyEyeMakeup', 'Basketball']),
      JSON.stringify(m.classes),
    );
  }
  log(`UCF101 layout with the official lists (CRLF): ucf101 and ucf51 prepared (${seconds(t0)})`);

  // 3b. ActivityNet v1.3 JSON (segments inside v_<id>.mp4) and VGGSound's CSV (starts >= 10: the file is the clip)
  t0 = Date.now();
  const anetRoot = path.join(media, 'activitynet');
  const database = {};
  ['anetvid001', 'anetvid002', 'anetvid003', 'anetvid004'].forEach((id, k) => {
    makeVideo(path.join(anetRoot, `v_${id}.mp4`), { seconds: 3, hz: 500 + 100 * k });
    database[id] = { subset: k < 2 ? 'training' : 'validation', duration: 3, annotations: [{ segment: [0.5, 2.5], label: k % 2 ? 'Archery' : 'Surfing' }] };
  });
  const taxonomy = [
    { nodeId: 1, nodeName: 'Root', parentId: null },
    { nodeId: 2, nodeName: 'Archery', parentId: 1 },
    { nodeId: 3, nodeName: 'Surfing', parentId: 1 },
  ];
  fs.writeFileSync(path.join(media, 'activity_net.v1-3.min.json'), JSON.stringify({ version: 'VERSION 1.3', taxonomy, database }));
  ccl([
    'data',
    'prepare',
    '--dataset',
    'activitynet',
    '--root',
    anetRoot,
    '--annotations',
    path.join(media, 'activity_net.v1-3.min.json'),
    '--out',
    prep('activitynet'),
    '--short-side',
    '32',
    '--val',
    '0',
  ]);
  {
    const m = readJson(path.join(prep('activitynet'), 'manifest.json'));
    expect(
      'activitynet: 4 segments, 2 train / 2 test',
      m.samples.length === 4 && m.samples.filter((s) => s.split === 'test').length === 2,
      JSON.stringify(m.samples),
    );
  }
  const vggRoot = path.join(media, 'vggsound');
  const rows = [
    ['yt-aaaaaaa', 12, 'dog barking', 'train'],
    ['yt-bbbbbbb', 30, 'dog barking', 'test'],
    ['yt-ccccccc', 1, 'people marching', 'train'],
    ['yt-ddddddd', 250, 'people marching', 'test'],
  ];
  rows.forEach(([id, start], k) => makeVideo(path.join(vggRoot, `${id}_${String(start).padStart(6, '0')}.mp4`), { seconds: 2, hz: 350 + 90 * k }));
  fs.writeFileSync(path.join(media, 'vggsound.csv'), rows.map((r) => `${r[0]},${r[1]},${r[2]},${r[3]}\n`).join(''));
  const vggArgs = [
    'data',
    'prepare',
    '--dataset',
    'vggsound',
    '--root',
    vggRoot,
    '--annotations',
    path.join(media, 'vggsound.csv'),
    '--out',
    prep('vggsound'),
    '--short-side',
    '32',
    '--val',
    '0',
  ];
  ccl([...vggArgs, '--shard', '0/2']);
  ccl([...vggArgs, '--shard', '1/2']);
  expect('a shard writes no manifest', !fs.existsSync(path.join(prep('vggsound'), 'manifest.json')));
  {
    const r = ccl(vggArgs);
    expect('the whole run after the shards decodes nothing again', /0 decoded, 4 already cached/.test(r.stdout), r.stdout);
    const m = readJson(path.join(prep('vggsound'), 'manifest.json'));
    const report = readJson(path.join(prep('vggsound'), 'cache', 'prepare-report.json'));
    expect(
      'vggsound: every clip cached (starts 12, 30, 250 are names, not offsets)',
      m.samples.length === 4 && report.skipped.length === 0,
      JSON.stringify(report.skipped),
    );
    expect(
      'vggsound: the whole 2-s file is the clip (20 frames at 10 fps)',
      m.samples.every((s) => s.segment === undefined && Math.abs((s.probe?.frameCount ?? 0) - 20) <= 1),
      JSON.stringify(m.samples.map((s) => [s.id, s.segment, s.probe?.frameCount])),
    );
  }
  log(`ActivityNet JSON and VGGSound CSV (with --shard) prepared (${seconds(t0)})`);

  // 3c. class folders: a flat folder gets a seeded test split; train/ + test/ folders give theirs; a manifest
  t0 = Date.now();
  const flat = path.join(media, 'folder-flat');
  const layout = path.join(media, 'folder-layout');
  for (const [c, hz] of [
    ['cats', 400],
    ['dogs', 800],
  ]) {
    for (let i = 0; i < 5; i++) makeVideo(path.join(flat, c, `${c}-${i}.mp4`), { hz: hz + i, seconds: 1 });
    makeVideo(path.join(layout, 'train', c, `${c}-a.mp4`), { hz, seconds: 1 });
    makeVideo(path.join(layout, 'test', c, `${c}-b.mp4`), { hz, seconds: 1 });
  }
  ccl(['data', 'prepare', '--dataset', 'folder', '--root', flat, '--out', prep('folder'), '--short-side', '32', '--test-fraction', '0.4', '--val', '0']);
  const splitCounts = (dir) => {
    const m = readJson(path.join(dir, 'manifest.json'));
    return ['train', 'val', 'test'].map((s) => m.samples.filter((x) => x.split === s).length).join('/');
  };
  expect('folder (flat): 40% of each class is the test split', splitCounts(prep('folder')) === '6/0/4', splitCounts(prep('folder')));
  ccl(['data', 'prepare', '--dataset', 'folder', '--root', layout, '--out', prep('folder-layout'), '--short-side', '32', '--val', '0']);
  expect('folder (train/ + test/)', splitCounts(prep('folder-layout')) === '2/0/2', splitCounts(prep('folder-layout')));
  ccl([
    'data',
    'prepare',
    '--dataset',
    'manifest',
    '--annotations',
    path.join(prep('folder'), 'manifest.json'),
    '--out',
    prep('manifest'),
    '--short-side',
    '32',
    '--val',
    '0',
  ]);
  expect('manifest (no --root): the same videos', splitCounts(prep('manifest')) === '6/0/4', splitCounts(prep('manifest')));
  const wrong = ccl(['data', 'prepare', '--dataset', 'folder', '--root', flat, '--out', prep('wrong'), '--features', flat], { code: 1 });
  expect('an argument the dataset does not read is refused in one line', /^ccl: dataset 'folder' does not read --features/m.test(wrong.stderr), wrong.stderr);
  ccl(['features', 'probe', '--features', path.join(work, 'none'), '--split', path.join(prep('folder'), 'manifest.json')], { code: 1 });
  log(`class folders (carved test split, train/ + test/), manifest prepared (${seconds(t0)})`);

  // 3d. the queue: prepare through Redis with a worker, and its status (a real redis-server)
  t0 = Date.now();
  const redisServer = process.env.CCL_REDIS_SERVER || 'redis-server';
  const port = await freePort();
  const redis = spawn(redisServer, ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
  children.push(redis);
  await waitForPort(port);
  const queue = `redis://127.0.0.1:${port}`;
  const worker = spawn(bin, ['worker', '--queue', queue, '--allow', media, '--allow', path.join(work, 'prepared'), '--concurrency', '2'], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(worker);
  let workerErr = '';
  worker.stderr.on('data', (b) => (workerErr += b));
  ccl(['data', 'prepare', '--dataset', 'folder', '--root', layout, '--out', prep('folder-queue'), '--short-side', '32', '--val', '0', '--queue', queue]);
  expect('prepared through the queue: the same splits', splitCounts(prep('folder-queue')) === '2/0/2', splitCounts(prep('folder-queue')));
  const status = ccl(['queue', 'status', '--queue', queue]);
  expect('ccl queue status sees the worker', /ccl-prepare: .*1 worker connection/.test(status.stdout), status.stdout);
  worker.kill('SIGTERM');
  await new Promise((resolve) => (worker.exitCode !== null ? resolve() : worker.once('exit', resolve)));
  if (NOISE.test(workerErr)) fail('ccl worker printed noise on stderr', workerErr);
  log(`queue: data prepare --queue, ccl worker, ccl queue status (${seconds(t0)})`);

  // 3e. teachers' features (cnn14 on the 32 kHz track, resnet34 on frames), a CCL-AI student, eval, report, export
  t0 = Date.now();
  const tiny = JSON.stringify({ widthMultiplier: 1 / 16 });
  const audioOut = path.join(work, 'features', 'audio');
  const imageOut = path.join(work, 'features', 'image');
  /** `ccl features extract` of an image teacher: 2 frames of 32 px per video from the prepared `data`, on cpu. */
  const frameFeatures = (teacherArgs, data, out) =>
    ccl(['features', 'extract', ...teacherArgs, '--data', data, '--out', out, '--frames', '2', '--size', '32', '--backend', 'cpu']);
  const audio = ccl(['features', 'extract', '--teacher', 'cnn14', '--options', tiny, '--data', prep('ucf101'), '--out', audioOut, '--backend', 'cpu']);
  expect('cnn14 features: 10 videos with sound', /10 written, 0 already there, 5 without input/.test(audio.stdout), audio.stdout);
  const image = frameFeatures(['--teacher', 'resnet34', '--options', tiny], prep('ucf101'), imageOut);
  expect('resnet34 features: all 15 videos', /15 written/.test(image.stdout), image.stdout);
  // PyTorch weights without Python: torchvision's ResNet-18 layout at 1/32 width, a real torch.save file
  // (packages/encoders/test/fixtures/torch), imported into a file that says what it is, then read directly
  const torchFixtures = path.join(root, 'packages', 'encoders', 'test', 'fixtures', 'torch');
  const imported = path.join(work, 'weights', 'resnet18-w32.safetensors');
  const w32 = JSON.stringify({ widthMultiplier: 1 / 32 });
  ccl(['weights', 'import', path.join(torchFixtures, 'resnet18-w32-zip.pth'), '--out', imported, '--encoder', 'resnet18', '--options', w32]);
  const fromFile = frameFeatures(['--weights', imported], prep('ucf51'), path.join(work, 'features', 'r18-file'));
  const fromPth = frameFeatures(
    ['--teacher', 'resnet18', '--options', w32, '--weights', path.join(torchFixtures, 'resnet18-w32-zip.pth')],
    prep('ucf51'),
    path.join(work, 'features', 'r18-pth'),
  );
  expect(
    'features from an imported .pth and from the .pth itself',
    /10 written/.test(fromFile.stdout) && /10 written/.test(fromPth.stdout),
    fromFile.stdout + fromPth.stdout,
  );
  const sameFeatures = fs.readdirSync(path.join(work, 'features', 'r18-file'), { recursive: true }).filter((f) => String(f).endsWith('.npy'));
  expect(
    'the same features both ways',
    sameFeatures.length === 10 &&
      sameFeatures.every((f) => fs.readFileSync(path.join(work, 'features', 'r18-file', f)).equals(fs.readFileSync(path.join(work, 'features', 'r18-pth', f)))),
  );
  const marker = '/tmp/ccl-hostile-checkpoint-ran';
  fs.rmSync(marker, { force: true });
  const hostile = ccl(['weights', 'import', path.join(torchFixtures, 'hostile-system-zip.pth'), '--out', path.join(work, 'weights', 'hostile.safetensors')], {
    code: 1,
  });
  expect(
    'a hostile checkpoint is refused by name, runs nothing, writes nothing',
    /refused to load global 'posix\.system'/.test(hostile.stderr) &&
      !fs.existsSync(marker) &&
      !fs.existsSync(path.join(work, 'weights', 'hostile.safetensors')),
    hostile.stderr,
  );
  const config = path.join(work, 'ccl-ai.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      method: 'ccl',
      epochs: 2,
      batchSize: 3,
      student: { encoder: 'r2plus1d-18', options: { widthMultiplier: 1 / 16 } },
      teachers: [
        { name: 'audio', modality: 'audio', dim: 32, features: 'features/audio', lowCoverage: 'warn' },
        { name: 'image', modality: 'image', dim: 32, encoder: { name: 'resnet34', options: { widthMultiplier: 1 / 16, normalize: 'imagenet' } } },
      ],
      lossWeight: 0.5,
      data: { manifest: 'prepared/ucf101/manifest.json', cacheDir: 'prepared/ucf101/cache', frames: 4, size: 16 },
    }),
  );
  const run = path.join(work, 'runs', 'ccl-ai');
  ccl(['train', '--config', config, '--out', run, '--backend', 'cpu']);
  expect('train wrote the run', fs.existsSync(path.join(run, 'run.json')) && /"image\./.test(fs.readFileSync(path.join(run, 'steps.jsonl'), 'utf8')));
  const evaluated = ccl(['eval', '--run', run, '--backend', 'cpu', '--json']);
  expect('eval: video-level top-1 on 6 test videos', /"top1"/.test(evaluated.stdout), evaluated.stdout.slice(0, 300));
  const report = ccl(['report', run, '--out', path.join(work, 'report')]);
  expect('report.html written', fs.existsSync(path.join(work, 'report', 'report.html')), report.stdout);
  // PNGs need @ccl/eval's optional rasteriser (optional peers: not installed here): one line naming it, nothing written
  const png = ccl(['report', run, '--out', path.join(work, 'report-png'), '--png'], { code: 1 });
  expect(
    'report --png without the optional rasteriser names its packages',
    /@resvg\/resvg-wasm and dejavu-fonts-ttf/.test(png.stderr) && !fs.existsSync(path.join(work, 'report-png', 'report.html')),
    png.stderr,
  );
  ccl(['report', run, '--out', path.join(work, 'report2'), '--baseline', 'nosuch'], { code: 1 });
  ccl(['export', '--run', run, '--out', path.join(work, 'exported')]);
  expect(
    'export wrote the student',
    fs.existsSync(path.join(work, 'exported', 'student.safetensors')) && fs.existsSync(path.join(work, 'exported', 'student.json')),
  );
  const web = spawnSync(path.join(project, 'node_modules', '.bin', 'ccl-web'), ['--help'], { encoding: 'utf8' });
  expect('ccl-web --help prints the usage and exits 0', web.status === 0 && /usage: ccl-web serve/.test(web.stdout), `${web.status} ${web.stderr}`);
  log(`features extract (cnn14, resnet34, resnet18 from a .pth), weights import, train (CCL-AI), eval, report, export (${seconds(t0)})`);

  // 3f. the bench group: a tiny synthetic bench in two parts (seed 1; seed 2, in a worker), merged
  t0 = Date.now();
  const tinyBench = (seeds, jobs) =>
    ccl([
      'bench',
      'synthetic',
      '--preset',
      'quick',
      '--seeds',
      seeds,
      '--methods',
      'baseline',
      '--epochs',
      '1',
      '--teacher-epochs',
      '1',
      '--classes',
      '2',
      '--videos-per-class',
      '3',
      '--jobs',
      jobs,
      '--work',
      path.join(work, 'bench'),
      '--json',
    ]);
  const parts = [tinyBench('1', '1'), tinyBench('2-2', '2')].map((r, i) => {
    const file = path.join(work, `bench-part-${i + 1}.json`);
    fs.writeFileSync(file, r.stdout);
    return file;
  });
  expect(
    'bench synthetic --json prints bench.json',
    parts.every((f) => /"comparison"|"runs"/.test(fs.readFileSync(f, 'utf8'))),
    fs.readFileSync(parts[0], 'utf8').slice(0, 300),
  );
  expect('bench synthetic --seeds 2-2 runs seed 2 only', JSON.stringify(readJson(parts[1]).seeds) === '[2]', fs.readFileSync(parts[1], 'utf8').slice(0, 300));
  const merge = ccl(['bench', 'merge', ...parts, '--out', path.join(work, 'bench-merged.json')]);
  const merged = readJson(path.join(work, 'bench-merged.json'));
  expect(
    'bench merge writes one bench.json of both parts and prints the tables',
    JSON.stringify(merged.seeds) === '[1,2]' && merged.runs.length === 2 && merged.comparison.seeds.length === 2 && /^merged 2 runs from /.test(merge.stdout),
    merge.stdout.slice(0, 300),
  );
  ccl(['bench', 'merge', parts[0], path.join(work, 'none.json')], { code: 1 });
  log(`bench synthetic (tiny, two parts) and bench merge (${seconds(t0)})`);
} catch (e) {
  fail('check-installed stopped', e.stack || e);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (keep) log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  for (const p of problems) console.error(`check-installed: FAIL ${p}`);
  log(`${problems.length ? `${problems.length} problem(s)` : 'everything works as installed'} (${seconds(started)})`);
  exitCode = problems.length ? 1 : 0;
}
process.exit(exitCode);

function findFfmpeg() {
  const onPath = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'ffmpeg';
  if (process.env.CCL_FFMPEG) return process.env.CCL_FFMPEG;
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('@ffmpeg-installer/ffmpeg').path)"], { cwd: project, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no ffmpeg: none on PATH, no CCL_FFMPEG, and @ffmpeg-installer/ffmpeg did not install (${r.stderr.trim()})`);
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
