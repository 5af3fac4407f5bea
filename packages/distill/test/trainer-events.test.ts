// The Trainer reports progress as typed events (training-events.ts) and renders nothing itself; a listener
// such as progressBarListener draws the bar `ccl train` shows. run.json holds the caller's provenance and
// nothing the trainer looked up itself (no git revision).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { progressBarListener, Trainer, type StepInfo, type TrainerOptions, type TrainingEvent } from '../src';
import { TinyStudent, tinySource } from '../../../tools/fixtures/tiny-training';

const CLASSES = 3;
const CLIP: [number, number, number, number] = [2, 3, 3, 3];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-trainer-events-'));

function trainer(opts: Partial<TrainerOptions> = {}, extra: Record<string, unknown> = {}): Trainer {
  return new Trainer({
    config: {
      method: 'baseline',
      seed: 5,
      student: { encoder: 'tiny' },
      optimizer: { lr: 0.05, momentum: 0.9 },
      schedule: { kind: 'constant' },
      epochs: 2,
      batchSize: 6,
      validation: { policy: 'held-out', every: 1, clips: 1 },
      ...extra,
    },
    student: new TinyStudent(27, 6, CLASSES),
    numClasses: CLASSES,
    studentDim: 6,
    train: tinySource(18, CLASSES, CLIP),
    validation: tinySource(6, CLASSES, CLIP),
    outDir: tmp(),
    ...opts,
  });
}

/** A stream that records what is written to it. */
function recorder(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

describe('Trainer events', () => {
  it('fit tells epoch-start, every step, epoch-end and validation in order, with the numbers the logs hold', async () => {
    const events: TrainingEvent[] = [];
    const steps: StepInfo[] = [];
    const t = trainer({ onEvent: (e) => events.push(e), onStep: (s) => void steps.push(s) });
    const result = await t.fit();
    t.dispose();
    const epoch = ['epoch-start', 'step', 'step', 'step', 'epoch-end', 'validation'];
    expect(events.map((e) => e.type)).toEqual([...epoch, ...epoch]);
    expect(events[0]).toEqual({ type: 'epoch-start', epoch: 0, epochs: 2, steps: 3, startStep: 0, lr: 0.05 });
    const stepEvents = events.filter((e) => e.type === 'step');
    expect(stepEvents.map((e) => [e.epoch, e.step, e.globalStep, e.clips])).toEqual([
      [0, 0, 1, 6],
      [0, 1, 2, 12],
      [0, 2, 3, 18],
      [1, 0, 4, 6],
      [1, 1, 5, 12],
      [1, 2, 6, 18],
    ]);
    // the same losses as onStep and steps.jsonl
    expect(stepEvents.map((e) => e.loss)).toEqual(steps.map((s) => s.terms.loss));
    const logged = fs
      .readFileSync(path.join(t['o'].outDir, 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { loss: number; cls_v: number });
    expect(stepEvents.map((e) => [e.loss, e.terms.cls_v])).toEqual(logged.map((r) => [r.loss, r.cls_v]));
    const validations = events.filter((e) => e.type === 'validation');
    expect(validations.map((v) => v.clipAccuracy)).toHaveLength(2);
    expect(validations[1]!.clipAccuracy).toBe(result.lastValidation);
    expect(events.filter((e) => e.type === 'epoch-end').every((e) => !e.stopped)).toBe(true);
  });

  it('a run stopped by its signal ends its epoch with epoch-end stopped: true', async () => {
    const events: TrainingEvent[] = [];
    const stop = new AbortController();
    const t = trainer({ onEvent: (e) => events.push(e), signal: stop.signal, onStep: (s) => void (s.globalStep === 2 && stop.abort()) });
    const result = await t.fit();
    t.dispose();
    expect(result.stopped).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['epoch-start', 'step', 'step', 'epoch-end']);
    expect(events[3]).toEqual({ type: 'epoch-end', epoch: 0, stopped: true });
  });

  it('progressBarListener draws one bar per epoch: plain lines off a terminal, one redrawn line on it', async () => {
    const plain = recorder(false);
    const t = trainer({ onEvent: progressBarListener(plain) });
    await t.fit();
    t.dispose();
    const lines = plain.text.trim().split('\n');
    expect(lines).toHaveLength(6); // 3 steps per epoch: every step crosses a tenth
    lines.forEach((l, i) => {
      const done = (i % 3) + 1;
      const pct = Math.round((done / 3) * 100);
      expect(l).toMatch(
        new RegExp(`^epoch ${Math.floor(i / 3) + 1}/2 ${done}/3 \\(${pct}%\\) [\\d.]+ clips/s ETA \\d+:\\d\\d loss \\d+\\.\\d{4} ce \\d+\\.\\d{4}$`),
      );
    });

    const tty = recorder(true);
    const again = trainer({ progress: tty }); // the deprecated option: the same listener on that stream
    await again.fit();
    again.dispose();
    const redraws = tty.text.split('\r').filter(Boolean);
    expect(redraws).toHaveLength(6);
    expect(redraws[0]).toMatch(/^epoch 1\/2 █{8}░{16} 1\/3 [\d.]+ clips\/s ETA \S+ loss \d+\.\d{4} ce \d+\.\d{4}\u001b\[K$/);
    expect(redraws[2]!.endsWith('\u001b[K\n')).toBe(true); // the epoch's last redraw, then a new line
  });

  it('draws nothing unless asked; run.json records the caller runInfo (its provenance), no revision of its own', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
    let outDir = '';
    try {
      const t = trainer({}, { epochs: 1 });
      outDir = t['o'].outDir;
      await t.fit();
      t.dispose();
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(outDir, 'run.json'), 'utf8'))).not.toHaveProperty('gitRevision');

    const withInfo = trainer({ runInfo: { gitRevision: 'abc123', command: 'ccl train' } }, { epochs: 1 });
    await withInfo.fit();
    withInfo.dispose();
    const run = JSON.parse(fs.readFileSync(path.join(withInfo['o'].outDir, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({ gitRevision: 'abc123', command: 'ccl train', method: 'baseline', finishedAt: expect.any(String) });
  });
});
