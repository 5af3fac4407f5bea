export { createRng, mulberry32, keyedRng, hashInts, mixSeed, shuffled, permutation, uniformArray } from './rng';
export type { Rng, ForkableRng } from './rng';
