import * as tf from '@tensorflow/tfjs-core';
import type { TeacherFeatureSet } from '../features/feature-set';
import { selectTeacherRow } from '../features/teacher';
import { createRng, shuffled } from '@ccl/base';
import type { Manifest, ManifestSample, SplitName } from '../manifest/schema';
import { classIndex } from '../manifest/schema';
import { openClipFile, readClipFrames } from '../cache/clip-file';
import type { ClipFileInfo } from '../cache/clip-file';
import { clipPath } from '../cache/clip-paths';
import type { NormalizeOptions, RandomResizedCropOptions } from '../transforms/spatial';
import { evalClip, trainSpatial } from '../transforms/pipeline';
import { temporalCenterCrop, temporalRandomCrop } from '../transforms/temporal';
import { BatchWorkerPool, defaultWorkerModule } from './worker-pool';

/** One batch: video `[B, T, H, W, C]` (normalised float), labels, teacher vectors + masks, ids. */
export interface ClipBatch {
  video: Float32Array; // [B, T, S, S, C]
  shape: [number, number, number, number, number];
  labels: Int32Array; // [B]
  /** Teacher name -> features `[B, D]` and `mask[b] = 1` when sample b has that teacher's feature. */
  teachers: Record<string, { features: Float32Array; mask: Uint8Array; dim: number }>;
  ids: string[];
}

export interface BatchLoaderOptions extends RandomResizedCropOptions, NormalizeOptions {
  manifest: Manifest;
  cacheDir: string;
  split: SplitName;
  batchSize: number;
  /** 'train': random temporal crop + RandomResizedCrop + flip; 'eval': centre clip, Resize + CenterCrop. */
  mode: 'train' | 'eval';
  seed?: number;
  /** Shuffle each epoch (default: true in train mode). */
  shuffle?: boolean;
  /** Drop the last incomplete batch (default: true in train mode). */
  dropLast?: boolean;
  frames?: number;
  size?: number;
  /** Teacher feature sets by teacher name; a sample's key is `sample.teacher[name]`, else its id. */
  teachers?: Record<string, TeacherFeatureSet>;
  /** Batches prepared ahead of the consumer (default 2, at least `workers`). */
  prefetch?: number;
  /**
   * Worker threads building batches in parallel with the consumer (default 0: on the main thread,
   * between awaits). Workers load the built package (`workerModule`, default this module's own file
   * when it is JavaScript); results are identical to the main-thread path.
   */
  workers?: number;
  /** JavaScript file exporting BatchLoader for the workers (needed when running from TypeScript sources). */
  workerModule?: string;
}

/** Deterministic 32-bit mix of (seed, epoch, index). */
function mix(seed: number, epoch: number, index: number): number {
  let h = (seed ^ 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (epoch + 0x27d4eb2f), 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (index + 0x165667b1), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * A batch loader over a prepared clip cache. The sample order of epoch e is a shuffle seeded by
 * (seed, e); each sample's random choices (frames, crop, flip, teacher row) come from an rng seeded by
 * (seed, e, sample index), so batches are identical for equal (seed, epoch) whatever the prefetch
 * depth. Frames are read with positioned reads (only the clip's frames leave the disk).
 */
export class BatchLoader {
  readonly samples: ManifestSample[];
  private readonly labelOf: Map<string, number>;
  private readonly infos = new Map<string, ClipFileInfo>();

  constructor(private readonly options: BatchLoaderOptions) {
    if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) throw new Error(`BatchLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    this.samples = options.manifest.samples.filter((s) => s.split === options.split);
    if (this.samples.length === 0) throw new Error(`BatchLoader: manifest '${options.manifest.dataset}' has no '${options.split}' samples`);
    this.labelOf = classIndex(options.manifest);
  }

  private get train(): boolean {
    return this.options.mode === 'train';
  }

  /** Number of batches per epoch. */
  get numBatches(): number {
    const dropLast = this.options.dropLast ?? this.train;
    const n = this.samples.length / this.options.batchSize;
    return dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Sample order of an epoch (indices into `samples`). */
  order(epoch: number): number[] {
    const idx = this.samples.map((_, i) => i);
    return (this.options.shuffle ?? this.train) ? shuffled(idx, createRng(mix(this.options.seed ?? 1, epoch, 0x7fffffff))) : idx;
  }

  private info(id: string): ClipFileInfo {
    let info = this.infos.get(id);
    if (!info) {
      info = openClipFile(clipPath(this.options.cacheDir, id));
      this.infos.set(id, info);
    }
    return info;
  }

  /** Builds batch `b` of epoch `epoch`. */
  batch(epoch: number, b: number): ClipBatch {
    const o = this.options;
    const frames = o.frames ?? 16;
    const size = o.size ?? 112;
    const order = this.order(epoch);
    const members = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
    if (members.length === 0) throw new Error(`BatchLoader: batch ${b} is past the end of epoch ${epoch}`);
    const B = members.length;
    const clipLen = frames * size * size * 3;
    const video = new Float32Array(B * clipLen);
    const labels = new Int32Array(B);
    const teachers: ClipBatch['teachers'] = {};
    for (const [name, set] of Object.entries(o.teachers ?? {})) teachers[name] = { features: new Float32Array(B * set.dim), mask: new Uint8Array(B), dim: set.dim };
    const ids: string[] = [];
    members.forEach((si, k) => {
      const s = this.samples[si] as ManifestSample;
      const rng = createRng(mix(o.seed ?? 1, epoch, si));
      const info = this.info(s.id);
      const { t, h, w, c } = info.header;
      let clip;
      if (this.train) {
        // Same draws, in the same order, as trainClip: temporal crop, then crop box and flip.
        const idx = temporalRandomCrop(t, frames, rng);
        clip = trainSpatial({ data: readClipFrames(info, idx), t: frames, h, w, c }, rng, { ...o, frames, size }).clip;
      } else {
        const idx = temporalCenterCrop(t, frames);
        clip = evalClip({ data: readClipFrames(info, idx), t: frames, h, w, c }, { ...o, size });
      }
      video.set(clip.data, k * clipLen);
      const label = this.labelOf.get(s.label);
      if (label === undefined) throw new Error(`BatchLoader: label '${s.label}' of '${s.id}' is missing from the class list`);
      labels[k] = label;
      ids.push(s.id);
      const teacherRng = rng.fork(1);
      for (const [name, set] of Object.entries(o.teachers ?? {})) {
        const f = set.features.get(s.teacher?.[name] ?? s.id);
        if (!f) continue;
        teachers[name]!.features.set(selectTeacherRow(f, teacherRng), k * set.dim);
        teachers[name]!.mask[k] = 1;
      }
    });
    return { video, shape: [B, frames, size, size, 3], labels, teachers, ids };
  }

  /**
   * Iterates an epoch's batches in order, building up to `prefetch` batches ahead: in `workers` worker
   * threads when configured, else on the main thread between awaits.
   */
  async *epoch(epoch: number): AsyncGenerator<ClipBatch> {
    const n = this.numBatches;
    const workers = this.options.workers ?? 0;
    let pool: BatchWorkerPool | undefined;
    if (workers > 0) {
      const module = this.options.workerModule ?? defaultWorkerModule();
      if (!module) throw new Error('BatchLoader: workers need the built package or a workerModule (a JavaScript file exporting BatchLoader)');
      pool = new BatchWorkerPool(this.options, workers, module);
    }
    const ahead = Math.max(1, this.options.prefetch ?? 2, workers);
    const pending: Promise<ClipBatch>[] = [];
    const schedule = (b: number): void => {
      const p: Promise<ClipBatch> = pool
        ? pool.request(epoch, b)
        : new Promise((resolve, reject) => setImmediate(() => {
            try {
              resolve(this.batch(epoch, b));
            } catch (err) {
              reject(err);
            }
          }));
      p.catch(() => undefined); // rejections surface when awaited below
      pending.push(p);
    };
    try {
      let next = 0;
      while (next < n && pending.length < ahead) schedule(next++);
      while (pending.length > 0) {
        const batch = await (pending.shift() as Promise<ClipBatch>);
        if (next < n) schedule(next++);
        yield batch;
      }
    } finally {
      await pool?.close();
    }
  }
}

/**
 * Converts a batch to tensors (the caller disposes them): video `[B, T, H, W, C]` float32, labels `[B]`
 * int32, and per teacher features `[B, D]` and mask `[B]` (float32 0/1).
 */
export function batchToTensors(batch: ClipBatch): { video: tf.Tensor5D; labels: tf.Tensor1D; teachers: Record<string, { features: tf.Tensor2D; mask: tf.Tensor1D }> } {
  const teachers: Record<string, { features: tf.Tensor2D; mask: tf.Tensor1D }> = {};
  for (const [name, t] of Object.entries(batch.teachers)) {
    teachers[name] = { features: tf.tensor2d(t.features, [batch.ids.length, t.dim]), mask: tf.tensor1d(Float32Array.from(t.mask)) };
  }
  return { video: tf.tensor5d(batch.video, batch.shape), labels: tf.tensor1d(batch.labels, 'int32'), teachers };
}
