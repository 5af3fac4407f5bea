export { createRng, mulberry32, keyedRng, hashInts, mixSeed, shuffled, permutation, uniformArray } from './rng';
export type { Rng, ForkableRng } from './rng';
export { writeFileAtomicSync, writeJsonAtomicSync, tempPathFor } from './node/atomic-write';
export type { AtomicWriteOptions } from './node/atomic-write';
export { Linear } from './linear';
export type { LinearInit, LinearParams, LinearParameterRequest } from './linear';
export { loadStateDict, matchStateDict, snapshotVariables } from './state-dict';
export type { StateDict, StateDictMatch, ShapeMismatch, LoadStateDictOptions } from './state-dict';
