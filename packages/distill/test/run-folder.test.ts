import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { LOCK_FILE } from '@ccl/data/node';
import { Trainer, type TrainerOptions } from '../src';
import { TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

const CLASSES = 3;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-run-folder-'));

function config(extra: Record<string, unknown> = {}) {
  return {
    method: 'baseline',
    seed: 3,
    student: { encoder: 'tiny' },
    teachers: [],
    optimizer: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'constant' },
    epochs: 2,
    batchSize: 6,
    checkpointEvery: 1,
    validation: { policy: 'none' },
    ...extra,
  };
}

/** A tiny baseline run (12 clips, 2 steps per epoch) into `outDir`; notices are collected, not printed. */
function trainer(outDir: string, extra: Record<string, unknown> = {}, opts: Partial<TrainerOptions> = {}) {
  const notices: string[] = [];
  const t = new Trainer({
    config: config(extra),
    student: new TinyStudent(27, 6, CLASSES),
    numClasses: CLASSES,
    studentDim: 6,
    train: tinySource(12, CLASSES, [2, 3, 3, 3]),
    outDir,
    progress: null,
    onNotice: (m) => notices.push(m),
    ...opts,
  });
  return {
    t,
    notices,
    fit: async () => {
      try {
        return await t.fit();
      } finally {
        t.dispose();
      }
    },
  };
}

/** Every file under `dir` (relative path -> bytes, base64). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const runJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;

/** A run stopped after its 3rd step (epoch 2, step 1 of 2), with a checkpoint after every step. */
async function stoppedRun(outDir: string) {
  const controller = new AbortController();
  const r = await trainer(
    outDir,
    { checkpointEverySteps: 1 },
    {
      signal: controller.signal,
      onStep: (s) => {
        if (s.globalStep === 3) controller.abort();
      },
    },
  ).fit();
  expect(r.stopped).toBe(true);
}

describe('run folder policy (Trainer.fit)', () => {
  it('refuses to train into a folder holding a finished run without resume or force, changing no file', async () => {
    const outDir = tmp();
    await trainer(outDir).fit();
    fs.mkdirSync(path.join(outDir, 'eval'));
    fs.writeFileSync(path.join(outDir, 'eval', 'recognition.json'), '{"top1": 0.5}\n');
    const before = snapshot(outDir);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['run.json', 'steps.jsonl', 'epochs.jsonl', path.join('checkpoints', 'latest.ckpt'), path.join('checkpoints', 'epoch-0002.ckpt')]),
    );
    const again = trainer(outDir, { epochs: 1 });
    await expect(again.fit()).rejects.toThrow(
      new RegExp(
        `^${outDir}: already holds a finished run \\(checkpoints, steps.jsonl, epochs.jsonl, eval, run.json\\); resume it \\(--resume\\) or replace it \\(--force\\)`,
      ),
    );
    expect(snapshot(outDir)).toEqual(before);
  });

  it('force starts clean: no checkpoint, log line or evaluation of the old run is left', async () => {
    const outDir = tmp();
    await trainer(outDir).fit(); // 2 epochs: epoch-0001, epoch-0002, 4 steps
    fs.mkdirSync(path.join(outDir, 'eval'));
    fs.writeFileSync(path.join(outDir, 'eval', 'recognition.json'), '{}\n');
    const oldStart = runJson(outDir).startedAt;
    const replacing = trainer(outDir, { epochs: 1, seed: 4 }, { force: true });
    await replacing.fit();
    expect(fs.readdirSync(path.join(outDir, 'checkpoints')).sort()).toEqual(['epoch-0001.ckpt', 'latest.ckpt']);
    expect(lines(path.join(outDir, 'steps.jsonl')).map((r) => r.globalStep)).toEqual([1, 2]);
    expect(lines(path.join(outDir, 'epochs.jsonl'))).toHaveLength(1);
    expect(fs.existsSync(path.join(outDir, 'eval'))).toBe(false);
    const run = runJson(outDir);
    expect(run.seed).toBe(4);
    expect(run.startedAt).not.toBe(oldStart);
    expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(replacing.notices.join('\n')).toMatch(
      /--force: removed the previous run \(checkpoints\/latest\.ckpt, checkpoints\/epoch-0001\.ckpt, checkpoints\/epoch-0002\.ckpt, eval\/recognition\.json, steps\.jsonl, epochs\.jsonl, run\.json\)$/,
    );
  });

  it("force removes only the run's own files: a user's files in the run folder, its checkpoints/ and eval/ are kept", async () => {
    const outDir = tmp();
    await trainer(outDir).fit();
    const mine = {
      'notes.txt': 'my notes\n',
      [path.join('backup.tmp', 'old.ckpt')]: 'backup',
      [path.join('checkpoints', 'model.pt')]: 'a torch model',
      [path.join('eval', 'evaluate.py')]: 'print("hi")\n',
    };
    for (const [f, text] of Object.entries(mine)) {
      fs.mkdirSync(path.dirname(path.join(outDir, f)), { recursive: true });
      fs.writeFileSync(path.join(outDir, f), text);
    }
    const replacing = trainer(outDir, { epochs: 1 }, { force: true });
    await replacing.fit();
    for (const [f, text] of Object.entries(mine)) expect(fs.readFileSync(path.join(outDir, f), 'utf8')).toBe(text);
    expect(fs.readdirSync(path.join(outDir, 'checkpoints')).sort()).toEqual(['epoch-0001.ckpt', 'latest.ckpt', 'model.pt']);
    expect(fs.readdirSync(path.join(outDir, 'eval'))).toEqual(['evaluate.py']);
    expect(replacing.notices.join('\n')).toMatch(/kept what ccl did not write: backup\.tmp\/, checkpoints\/model\.pt, eval\/evaluate\.py, notes\.txt/);
  });

  it('force over a run whose checkpoints/ links to another folder: the link stays, only the run files in it go', async () => {
    const outDir = tmp();
    await trainer(outDir).fit();
    const elsewhere = path.join(tmp(), 'ckpts');
    fs.renameSync(path.join(outDir, 'checkpoints'), elsewhere);
    fs.symlinkSync(elsewhere, path.join(outDir, 'checkpoints'));
    await trainer(outDir, { epochs: 1 }, { force: true }).fit();
    expect(fs.lstatSync(path.join(outDir, 'checkpoints')).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(elsewhere).sort()).toEqual(['epoch-0001.ckpt', 'latest.ckpt']);
  });

  it('a non-empty folder holding no run is refused, with or without force, naming what is there and removing nothing', async () => {
    const outDir = tmp();
    const theirs = {
      [path.join('backup.tmp', 'data.bin')]: 'a backup',
      [path.join('eval', 'evaluate.py')]: 'print("hi")\n',
      [path.join('checkpoints', 'model.pt')]: 'a torch model',
      'steps.jsonl': '{"not": "ccl"}\n',
      'run.json': '{"name": "a run of another tool"}\n',
    };
    for (const [f, text] of Object.entries(theirs)) {
      fs.mkdirSync(path.dirname(path.join(outDir, f)), { recursive: true });
      fs.writeFileSync(path.join(outDir, f), text);
    }
    const before = snapshot(outDir);
    for (const force of [false, true]) {
      await expect(trainer(outDir, {}, { force }).fit()).rejects.toThrow(
        `${outDir}: is not empty and holds no ccl run (no run.json of ccl train): backup.tmp/, checkpoints/, eval/, run.json, steps.jsonl; ccl train writes only into an empty folder or one holding its own run${force ? ' (--force replaces only a run)' : ''}; choose another folder`,
      );
      expect(snapshot(outDir)).toEqual(before);
      expect(fs.readdirSync(outDir).sort()).toEqual(['backup.tmp', 'checkpoints', 'eval', 'run.json', 'steps.jsonl']); // and the lock is gone
    }
  });

  it('resume without checkpoints/latest.ckpt refuses instead of starting over', async () => {
    const empty = tmp();
    await expect(trainer(empty, {}, { resume: true }).fit()).rejects.toThrow(`${empty}: nothing to resume, no ${path.join('checkpoints', 'latest.ckpt')}`);
    expect(fs.existsSync(path.join(empty, 'run.json'))).toBe(false);
    // a run killed before its first checkpoint: refused, its files untouched
    const early = tmp();
    fs.writeFileSync(path.join(early, 'run.json'), `${JSON.stringify({ config: config(), architecture: 'tiny', startedAt: '2026-01-01T00:00:00.000Z' })}\n`);
    fs.writeFileSync(path.join(early, 'steps.jsonl'), '{"globalStep":1}\n');
    const before = snapshot(early);
    await expect(trainer(early, {}, { resume: true }).fit()).rejects.toThrow(
      /nothing to resume, .* stopped before its first checkpoint; --force starts it over/,
    );
    expect(snapshot(early)).toEqual(before);
  });

  it('resume with a changed config refuses naming the changed keys, and goes on with allowConfigChange', async () => {
    const outDir = tmp();
    await stoppedRun(outDir);
    const before = snapshot(outDir);
    const changed = { checkpointEverySteps: 1, epochs: 3, optimizer: { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 } };
    await expect(trainer(outDir, changed, { resume: true }).fit()).rejects.toThrow(
      `${outDir}: the config differs from the run's in optimizer.lr, epochs; resume with the run's config, or pass --allow-config-change`,
    );
    expect(snapshot(outDir)).toEqual(before);

    const allowed = trainer(outDir, changed, { resume: true, allowConfigChange: true });
    const r = await allowed.fit();
    expect(r.globalStep).toBe(6); // 3 epochs of 2 steps, resumed after step 3
    expect(allowed.notices.join('\n')).toMatch(/resuming with a changed config: optimizer\.lr, epochs/);
    expect(runJson(outDir).resumedFrom).toEqual({ epoch: 1, stepInEpoch: 1, globalStep: 3, configChanged: ['optimizer.lr', 'epochs'] });
    expect(lines(path.join(outDir, 'steps.jsonl')).map((s) => s.globalStep)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('resume with the same config continues the run', async () => {
    const outDir = tmp();
    await stoppedRun(outDir);
    const r = await trainer(outDir, { checkpointEverySteps: 1 }, { resume: true }).fit();
    expect(r.globalStep).toBe(4);
    expect(r.stopped).toBe(false);
  });

  it('a second trainer on a folder refuses while the first holds it; the lock goes when the first finishes', async () => {
    const outDir = tmp();
    let refusal: Promise<unknown> | null = null;
    const first = trainer(
      outDir,
      {},
      {
        onStep: (s) => {
          if (s.globalStep !== 1) return;
          expect(fs.existsSync(path.join(outDir, LOCK_FILE))).toBe(true);
          refusal = trainer(outDir, {}, { force: true }).fit(); // force, too, waits for the holder
          refusal.catch(() => undefined);
        },
      },
    );
    await first.fit();
    expect(refusal).not.toBeNull();
    await expect(refusal).rejects.toThrow(`${outDir}: already locked by this process (ccl train`);
    expect(lines(path.join(outDir, 'steps.jsonl')).map((s) => s.globalStep)).toEqual([1, 2, 3, 4]);
    expect(fs.existsSync(path.join(outDir, LOCK_FILE))).toBe(false);
  });

  it('another live process holding the folder: refused, nothing written', async () => {
    const outDir = tmp();
    // the parent of this test process is alive on this host: it stands for a second `ccl train`
    const holder = { pid: process.ppid, host: os.hostname(), what: 'ccl train', since: '2024-01-01T00:00:00.000Z' };
    fs.writeFileSync(path.join(outDir, LOCK_FILE), `${JSON.stringify(holder)}\n`);
    await expect(trainer(outDir, {}, { force: true }).fit()).rejects.toThrow(`${outDir}: in use by ccl train (pid ${process.ppid} on ${os.hostname()}`);
    expect(fs.readdirSync(outDir)).toEqual([LOCK_FILE]);
  });

  it('takes over a stale lock of a dead process with a notice', async () => {
    const outDir = tmp();
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited: its pid names no live process
    fs.writeFileSync(
      path.join(outDir, LOCK_FILE),
      `${JSON.stringify({ pid: dead, host: os.hostname(), what: 'ccl train', since: '2024-01-01T00:00:00.000Z' })}\n`,
    );
    const t = trainer(outDir);
    const r = await t.fit();
    expect(r.globalStep).toBe(4);
    expect(t.notices.join('\n')).toMatch(new RegExp(`taking over a stale lock of ccl train \\(pid ${dead} on `));
    expect(fs.existsSync(path.join(outDir, LOCK_FILE))).toBe(false);
  });

  it("removes the temporary files of a killed write of the run's own files when a run starts or resumes, and nothing else", async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const fresh = tmp();
    fs.writeFileSync(path.join(fresh, `.run.json.${dead}.1.tmp`), '{"half');
    const starting = trainer(fresh, { epochs: 1 });
    await starting.fit();
    expect(fs.readdirSync(fresh).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(starting.notices.join('\n')).toMatch(new RegExp(`removed 1 stray temporary file\\(s\\) of an interrupted write: \\.run\\.json\\.${dead}\\.1\\.tmp`));

    const outDir = tmp();
    await stoppedRun(outDir);
    const strays = [
      `.steps.jsonl.${dead}.3.tmp`,
      path.join('checkpoints', `.latest.ckpt.${dead}.2.tmp`),
      path.join('eval', `.val.json.${dead}.1.tmp`),
      `.replaced-run.${dead}.tmp`,
    ];
    fs.writeFileSync(path.join(outDir, strays[0]!), 'x');
    fs.writeFileSync(path.join(outDir, strays[1]!), 'half a checkpoint');
    fs.mkdirSync(path.join(outDir, 'eval'));
    fs.writeFileSync(path.join(outDir, strays[2]!), '{');
    fs.mkdirSync(path.join(outDir, strays[3]!, 'checkpoints'), { recursive: true });
    // a user's files that end in .tmp: not ccl's temporary files, whatever their name
    const theirs = [path.join('backup.tmp', 'data.bin'), `.notes.txt.${dead}.1.tmp`, path.join('checkpoints', 'model.tmp'), 'steps.jsonl.tmp'];
    for (const f of theirs) {
      fs.mkdirSync(path.dirname(path.join(outDir, f)), { recursive: true });
      fs.writeFileSync(path.join(outDir, f), 'mine');
    }
    const resuming = trainer(outDir, { checkpointEverySteps: 1 }, { resume: true });
    await resuming.fit();
    for (const s of strays) expect(fs.existsSync(path.join(outDir, s))).toBe(false);
    for (const f of theirs) expect(fs.readFileSync(path.join(outDir, f), 'utf8')).toBe('mine');
    expect(resuming.notices.join('\n')).toMatch(/removed 4 stray temporary file\(s\)/);
  });

  it('resume and force together are refused', async () => {
    const outDir = tmp();
    await expect(trainer(outDir, {}, { resume: true, force: true }).fit()).rejects.toThrow(
      `${outDir}: resume (--resume) and force (--force) exclude each other; choose one`,
    );
  });
});

afterAll(() => tf.disposeVariables());
