import { Worker } from 'node:worker_threads';
import type { ClipBatch, BatchLoaderOptions } from './batches';

/**
 * The worker's program: loads the package's built module (CJS or ESM, by dynamic import), builds a
 * BatchLoader with the same options, and answers `{ id, epoch, b }` requests with the batch, whose
 * buffers are transferred (not copied) back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const ready = import(pathToFileURL(workerData.module).href).then((m) => {
  const BatchLoader = m.BatchLoader || (m.default && m.default.BatchLoader);
  if (!BatchLoader) throw new Error(workerData.module + ' does not export BatchLoader');
  return new BatchLoader(Object.assign({}, workerData.options, { workers: 0 }));
});
parentPort.on('message', async (msg) => {
  try {
    const loader = await ready;
    const batch = loader.batch(msg.epoch, msg.b);
    const transfer = [batch.video.buffer, batch.labels.buffer];
    for (const t of Object.values(batch.teachers)) transfer.push(t.features.buffer, t.mask.buffer);
    parentPort.postMessage({ id: msg.id, batch }, transfer);
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
});
`;

/**
 * The JavaScript file workers load: this module itself when running from the built package
 * (dist/index.js or .mjs); from TypeScript sources (tests) there is none and `workerModule` must be given.
 */
export function defaultWorkerModule(): string | null {
  return /\.(c|m)?js$/.test(__filename) ? __filename : null;
}

/** A fixed set of worker threads building batches for one loader configuration. */
export class BatchWorkerPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (b: ClipBatch) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  constructor(options: BatchLoaderOptions, count: number, module: string) {
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, options: { ...options, workers: 0 } } });
      w.on('message', (msg: { id: number; batch?: ClipBatch; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p.reject(new Error(`batch worker: ${msg.error}`));
        else p.resolve(msg.batch as ClipBatch);
      });
      w.on('error', (err) => this.failAll(new Error(`batch worker crashed: ${err.message}`)));
      return w;
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Asks worker (b mod count) for batch b of epoch `epoch`. */
  request(epoch: number, b: number): Promise<ClipBatch> {
    if (this.closed) return Promise.reject(new Error('batch worker pool is closed'));
    const id = this.nextId++;
    return new Promise<ClipBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.workers[b % this.workers.length] as Worker).postMessage({ id, epoch, b });
    });
  }

  /** Terminates the workers; requests still pending are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('batch worker pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
