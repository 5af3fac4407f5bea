/**
 * The regime of a synthetic dataset, resolved from the generator's options: split sizes per class, how
 * many concepts the teachers' source sets cover, and which sound a class plays when its audio is
 * unrelated to its label. Pure functions of the options (and a seeded rng), checked with clear errors.
 */
import { shuffled, type Rng } from '@ccl/base';
import { APPEARANCE_COUNT } from './appearance';

/** How much a class's audio says about it (the paper's UCF51 analysis: highly / weakly / not correlated). */
export type AudioCorrespondence = 'strong' | 'weak' | 'none';

/**
 * What a 'weak' / 'none' class plays instead of its own sound: 'random' = a random class's sound per
 * video (inconsistent within the class), 'consistent' = one fixed sound of the class, outside every
 * class's own sound (like a room, scene or music that is unrelated to the action).
 */
export type UnrelatedAudio = 'random' | 'consistent';

/** How many appearance / sound concepts the teachers' source sets cover. */
export interface SourceConcepts {
  images?: number;
  sounds?: number;
}

const fail = (message: string): never => {
  throw new Error(`generateSyntheticAV: ${message}`);
};

const isCount = (n: unknown, min: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;

/**
 * Videos per class and how many of them are test videos (the first `test`; the rest train). Explicit
 * `trainVideosPerClass` + `testVideosPerClass` override `videosPerClass` / `testFraction`. Since a
 * video's content depends only on (seed, class, index), runs with equal test counts share the test
 * videos, and a smaller train set is a subset of a larger one.
 */
export function classSplitSizes(o: { videosPerClass: number; testFraction: number; trainVideosPerClass?: number; testVideosPerClass?: number }): {
  total: number;
  test: number;
} {
  const { trainVideosPerClass: train, testVideosPerClass: test } = o;
  if (train === undefined && test === undefined) {
    const nTest = o.testFraction > 0 ? Math.max(1, Math.round(o.videosPerClass * o.testFraction)) : 0;
    return { total: o.videosPerClass, test: nTest };
  }
  if (train === undefined || test === undefined)
    fail('give trainVideosPerClass and testVideosPerClass together (they replace videosPerClass and testFraction)');
  if (!isCount(train, 1)) fail(`trainVideosPerClass must be an integer >= 1, got ${train}`);
  if (!isCount(test, 0)) fail(`testVideosPerClass must be an integer >= 0, got ${test}`);
  return { total: (train as number) + (test as number), test: test as number };
}

/**
 * The number of appearance and sound concepts of the teachers' source sets. They include the video
 * classes' own (appearances 0..classAppearances-1, sounds 0..numClasses-1), so the default is exactly
 * those; more adds concepts the video task never uses.
 */
export function sourceConceptCounts(requested: SourceConcepts | undefined, classAppearances: number, numClasses: number): { images: number; sounds: number } {
  const images = requested?.images ?? classAppearances;
  const sounds = requested?.sounds ?? numClasses;
  if (!isCount(images, classAppearances))
    fail(`sourceConcepts.images must be an integer >= ${classAppearances} (the appearances the ${numClasses} classes use), got ${images}`);
  if (images > APPEARANCE_COUNT) fail(`sourceConcepts.images = ${images}, but only ${APPEARANCE_COUNT} distinct appearances exist`);
  if (!isCount(sounds, numClasses)) fail(`sourceConcepts.sounds must be an integer >= ${numClasses} (the classes' own sounds), got ${sounds}`);
  return { images, sounds };
}

/**
 * For 'consistent' unrelated audio: each 'weak' / 'none' class's fixed unrelated sound (null for
 * 'strong' classes), distinct per class and drawn (seeded) from the sound concepts numClasses..
 * soundConcepts-1, i.e. sounds the audio teacher knows but no class has as its own.
 */
export function assignUnrelatedSounds(correspondence: AudioCorrespondence[], soundConcepts: number, rng: Rng): (number | null)[] {
  const K = correspondence.length;
  const gapClasses = correspondence.filter((c) => c !== 'strong').length;
  const pool = Array.from({ length: soundConcepts - K }, (_, i) => K + i);
  if (pool.length < gapClasses) {
    fail(
      `unrelatedAudio 'consistent' needs a distinct sound outside the ${K} classes' own sounds for each of the ${gapClasses} weak / none classes, but sourceConcepts.sounds = ${soundConcepts} leaves ${pool.length}; set sourceConcepts.sounds >= ${K + gapClasses}`,
    );
  }
  const picks = shuffled(pool, rng);
  let next = 0;
  return correspondence.map((c) => (c === 'strong' ? null : (picks[next++] as number)));
}
