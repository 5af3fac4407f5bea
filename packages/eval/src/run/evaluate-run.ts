import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { samplesOfSplit, type Manifest } from '@ccl/data';
import { loadEvalWindows, resolveInside } from '@ccl/data/node';
import { loadCheckpoint } from '@ccl/encoders/node';
import type { Encoder } from '@ccl/encoders';
import { aggregateVideoScores, evaluateRecognition, toReferenceValJson, type RecognitionResult } from '../recognition';
import { averageByGroup, evaluateRetrieval, type RetrievalResult } from '../retrieval';
import { writeRunEvaluation } from '../report/run-directory';
import { linearProbe, summariseProbe, type ProbeSummary } from '../probe';

/** The clip geometry a run's student sees: frames per window and the (square) crop size. */
export interface ClipGeometry {
  frames: number;
  size: number;
}

/**
 * Window logits and pooled features of every video of a split (sliding windows, centre crop, 8 windows per
 * forward pass): row i of `logits` ([W, classes]) and `features` ([W, D]) belongs to video `ids[i]`.
 */
export async function windowOutputs(
  student: Encoder,
  manifest: Manifest,
  cacheDir: string,
  split: 'train' | 'test',
  s: ClipGeometry,
): Promise<{ ids: string[]; logits: number[][]; features: number[][] }> {
  const ids: string[] = [];
  const logits: number[][] = [];
  const features: number[][] = [];
  student.eval();
  for (const sample of samplesOfSplit(manifest, split)) {
    const windows = loadEvalWindows(cacheDir, sample.id, { protocol: 'sliding', frames: s.frames, size: s.size });
    for (let at = 0; at < windows.length; at += 8) {
      const chunk = windows.slice(at, at + 8);
      const [logitsT, featuresT] = tf.tidy(() => {
        const x = tf.tensor5d(Float32Array.from(chunk.flatMap((w) => Array.from(w.data))), [chunk.length, s.frames, s.size, s.size, 3]);
        const o = student.apply(x, { training: false });
        return [o.logits!, o.features]; // [B, classes], [B, D]
      });
      // read asynchronously: WebGPU in Node has no synchronous readback
      const out = [(await logitsT!.array()) as number[][], (await featuresT!.array()) as number[][]] as const;
      tf.dispose([logitsT!, featuresT!]);
      for (let i = 0; i < chunk.length; i++) {
        ids.push(sample.id);
        logits.push(out[0][i]);
        features.push(out[1][i]);
      }
    }
  }
  return { ids, logits, features };
}

/**
 * Final test (METHOD §6) of a run's selected checkpoint (`best.ckpt`, chosen on the held-out split):
 * video-level top-1/top-5 with softmax averaged over all sliding windows, and retrieval of test videos
 * against the training videos by cosine similarity of window-averaged pooled features. The results go to
 * `<runDir>/eval/` (recognition.json, retrieval.json, the reference's val.json), with a linear probe of the
 * student's features (train -> test videos) in probe-student.json.
 *
 * @param makeStudent a fresh student of the run's architecture (its weights come from the checkpoint)
 */
export async function evaluateStudentRun(
  runDir: string,
  manifest: Manifest,
  cacheDir: string,
  s: ClipGeometry,
  makeStudent: () => Encoder,
  checkpoint = 'best.ckpt',
): Promise<{ recognition: RecognitionResult; retrieval: RetrievalResult; probe: ProbeSummary }> {
  const file = resolveInside(path.join(runDir, 'checkpoints'), checkpoint); // `ccl eval --checkpoint NAME` never reads outside the run
  for (const split of ['test', 'train'] as const) {
    if (samplesOfSplit(manifest, split).length === 0) {
      throw new Error(
        `${runDir}: the run's manifest has no ${split} split (no video with split '${split}'), so there is nothing ${split === 'test' ? 'to evaluate' : 'to retrieve'}`,
      );
    }
  }
  const student = makeStudent();
  const ckpt = loadCheckpoint(file, { only: (name) => name.startsWith('student.') }); // the method's modules are not needed
  const studentDict = Object.fromEntries(
    Object.entries(ckpt.tensors)
      .filter(([k]) => k.startsWith('student.'))
      .map(([k, v]) => [k.slice(8), v]),
  );
  student.loadStateDict(studentDict, { strict: true, source: file });
  tf.dispose(Object.values(ckpt.tensors));
  const labelOf = new Map(manifest.classes.map((c, i) => [c, i]));
  const videoLabels = new Map(manifest.samples.map((x) => [x.id, labelOf.get(x.label)!]));
  const test = await windowOutputs(student, manifest, cacheDir, 'test', s);
  const train = await windowOutputs(student, manifest, cacheDir, 'train', s);
  const testLabels = new Map(samplesOfSplit(manifest, 'test').map((x) => [x.id, videoLabels.get(x.id)!]));
  const recognition = evaluateRecognition({
    windowScores: test.logits,
    videoIds: test.ids,
    videoLabels: testLabels,
    classNames: manifest.classes,
    kind: 'logits',
  });
  const q = averageByGroup(test.features, test.ids); // window-averaged pooled features per video
  const g = averageByGroup(train.features, train.ids);
  const retrieval = evaluateRetrieval({
    queries: q.features,
    queryLabels: q.ids.map((id) => videoLabels.get(id)!),
    gallery: g.features,
    galleryLabels: g.ids.map((id) => videoLabels.get(id)!),
  });
  // what the features alone give a linear classifier (the same measure as a teacher's probe on the video classes)
  const fitted = linearProbe({
    train: { features: g.features, labels: g.ids.map((id) => videoLabels.get(id)!) },
    test: { features: q.features, labels: q.ids.map((id) => videoLabels.get(id)!) },
    numClasses: manifest.classes.length,
  });
  const valJson = toReferenceValJson(aggregateVideoScores(test.logits, test.ids, 'logits'), manifest.classes);
  writeRunEvaluation(runDir, { recognition, retrieval, valJson, probes: { student: fitted } }); // eval/probe-student.json
  student.dispose();
  return { recognition, retrieval, probe: summariseProbe(fitted) };
}
