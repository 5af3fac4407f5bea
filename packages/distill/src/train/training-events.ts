/**
 * What `Trainer.fit` tells its `onEvent` listener, in order: for each epoch an `epoch-start`, a `step` after
 * every step, an `epoch-end` (`stopped: true` when `signal` stopped the run after a step), then a
 * `validation` when the epoch was validated. A listener renders them (progressBarListener: the bar of
 * `ccl train`) or records them; it runs synchronously and its errors stop the run.
 */
export type TrainingEvent = EpochStartEvent | StepEvent | EpochEndEvent | ValidationEvent;

export interface EpochStartEvent {
  type: 'epoch-start';
  /** 0-based. */
  epoch: number;
  /** Epochs of the run (`config.epochs`). */
  epochs: number;
  /** Steps of this epoch. */
  steps: number;
  /** The first step trained in this epoch: 0, or where a resumed run continues. */
  startStep: number;
  /** The student's learning rate in this epoch. */
  lr: number;
}

export interface StepEvent {
  type: 'step';
  epoch: number;
  /** 0-based step in the epoch. */
  step: number;
  steps: number;
  startStep: number;
  /** Steps of the whole run so far, this one included. */
  globalStep: number;
  /** Clips trained on in this epoch since `startStep`, this step's included. */
  clips: number;
  lr: number;
  /** The total loss. */
  loss: number;
  /** The method's loss terms by name (`cls_v`, `audio.vm`, ...). */
  terms: Record<string, number>;
  /** False when a non-finite loss was skipped (`nanGuard: 'skip'`). */
  applied: boolean;
}

export interface EpochEndEvent {
  type: 'epoch-end';
  epoch: number;
  /** The run stops here (`signal`), before the epoch's last step. */
  stopped: boolean;
}

export interface ValidationEvent {
  type: 'validation';
  epoch: number;
  /** 'test': the reference's selection on the test split; 'held-out': a held-out part of the training set. */
  policy: 'held-out' | 'test';
  clipAccuracy: number;
  /** Whether it is the best so far (best.ckpt is written). */
  improved: boolean;
}
