/**
 * @ccl/queue: clip-cache preparation spread over any number of machines through a Redis-backed job queue
 * (BullMQ over ioredis). `prepareClipCacheOnQueue` enqueues one job per video and writes the same report
 * as a local `prepareClipCache`; `extractTeacherFeaturesOnQueue` does the same for teacher features (one job
 * per batch of videos); `startQueueWorker` runs both kinds of jobs, each checked against a schema and the
 * worker's allowed folders (a queue's jobs are untrusted input); `queueStatus` counts them.
 */
export { connectQueue, parseQueueUrl, redactQueueUrl } from './connection';
export type { QueueAddress } from './connection';
export { MEDIA_ERROR_PREFIX, PREPARE_QUEUE, prepareJobId, prepareRunKey, processPrepareJob, resultOfFailedPrepareJob } from './prepare-jobs';
export type { PrepareJobData } from './job-data';
export { prepareClipCacheOnQueue } from './prepare-on-queue';
export { FEATURES_QUEUE, featuresRunKey, processFeaturesJob } from './features-jobs';
export type { FeaturesJobData } from './job-data';
export type { FeaturesJobResult } from './features-jobs';
export { extractTeacherFeaturesOnQueue } from './features-on-queue';
export type { QueuedFeaturesOptions } from './features-on-queue';
export { removeJobs, runJobs } from './queued-run';
export type { RunJob, RunJobsOptions, RunJobsOutcome } from './queued-run';
export type { QueuedPrepareOptions } from './prepare-on-queue';
export { runQueueWorkerUntilSignal, startQueueWorker } from './worker';
export type { QueueWorkerEvent } from './worker-log';
export type { QueueWorkerHandle, QueueWorkerOptions, QueueWorkerStop, SignalledWorkerOptions, SignalledWorkerResult } from './worker';
export { allowedFolders, REFUSED_PREFIX } from './allowed-folders';
export type { AllowedFolders } from './allowed-folders';
export { checkedFeaturesJob, checkedPrepareJob } from './job-data';
export { workerLog } from './worker-log';
export type { WorkerLog } from './worker-log';
export { formatQueueStatus, queueStatus } from './status';
export type { QueueStatus } from './status';
