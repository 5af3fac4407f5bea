/**
 * @ccl/queue: clip-cache preparation spread over any number of machines through a Redis-backed job queue
 * (BullMQ over ioredis). `prepareClipCacheOnQueue` enqueues one job per video and writes the same report
 * as a local `prepareClipCache`; `startQueueWorker` runs jobs; `queueStatus` counts them.
 */
export { connectQueue, parseQueueUrl } from './connection';
export type { QueueAddress } from './connection';
export { MEDIA_ERROR_PREFIX, PREPARE_QUEUE, prepareJobId, prepareRunKey, processPrepareJob, resultOfFailedPrepareJob } from './prepare-jobs';
export type { PrepareJobData } from './prepare-jobs';
export { prepareClipCacheOnQueue } from './prepare-on-queue';
export type { QueuedPrepareOptions } from './prepare-on-queue';
export { startQueueWorker } from './worker';
export type { QueueWorkerEvent, QueueWorkerHandle, QueueWorkerOptions } from './worker';
export { formatQueueStatus, queueStatus } from './status';
export type { QueueStatus } from './status';
