// The checkpoint format lives in @ccl/encoders/node (below @ccl/distill and @ccl/eval, which both read it);
// this module keeps the trainer's import path.
export { saveCheckpoint, loadCheckpoint, groupByPrefix, withPrefix } from '@ccl/encoders/node';
export type { CheckpointMeta, LoadCheckpointOptions, LoadedCheckpoint } from '@ccl/encoders/node';
