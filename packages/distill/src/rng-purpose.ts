/**
 * Purposes of a training run's random draws. Every draw is @ccl/base's `keyedRng(seed, purpose, epoch,
 * step, ...)`: a pure function of its keys, so a resumed run draws exactly what the uninterrupted run
 * drew, with no generator state to save; the purpose is part of the key, so streams never overlap.
 */
export const RNG_PURPOSE = { order: 1, sample: 2, frame: 3, init: 4 } as const;
