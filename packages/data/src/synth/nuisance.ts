/**
 * Nuisance variation of the synthetic scenes: what changes from one video (or still) to the next without
 * changing its label. With the defaults an appearance is a fixed (shape, colour, fill), which a student
 * learns from a handful of videos (the colour alone names it). A `random` colour leaves the shape and fill
 * as the only cue, and a wider radius range adds scale variation: concepts that take many examples to learn
 * invariantly, as ImageNet objects do, and that a teacher trained on many stills knows better than a student
 * trained on a few videos. Videos and the teachers' stills get the same nuisances.
 */
import type { Rng } from '@ccl/base';
import { APPEARANCE_COUNT, type Appearance } from './appearance';
import type { SceneParams } from './render';

export interface Nuisance {
  /** The object's colour: the appearance's own (default) or, per video / still, one of the six drawn at random. */
  colour?: 'appearance' | 'random';
  /** Object radius range as a fraction of the short side (default [0.16, 0.24]). */
  radius?: [number, number];
}

const COLOUR_NAMES = ['red', 'blue', 'green', 'yellow', 'magenta', 'cyan'];

/** Appearances that differ other than by colour (6 shapes x solid / striped): the most a `random` colour leaves distinct. */
export const COLOUR_FREE_APPEARANCES = 12;

/** Checks a nuisance option, naming what is wrong; returns it with the defaults filled in. */
export function resolveNuisance(n: Nuisance | undefined, imageConcepts: number): Required<Nuisance> {
  const colour = n?.colour ?? 'appearance';
  const radius = n?.radius ?? [0.16, 0.24];
  if (colour !== 'appearance' && colour !== 'random') throw new Error(`generateSyntheticAV: nuisance.colour must be 'appearance' or 'random', got '${colour}'`);
  if (!(Array.isArray(radius) && radius.length === 2 && radius[0] > 0 && radius[1] >= radius[0] && radius[1] <= 0.5))
    throw new Error(`generateSyntheticAV: nuisance.radius must be [min, max] with 0 < min <= max <= 0.5, got ${JSON.stringify(radius)}`);
  if (colour === 'random' && imageConcepts > COLOUR_FREE_APPEARANCES)
    throw new Error(
      `generateSyntheticAV: with nuisance.colour 'random' only ${COLOUR_FREE_APPEARANCES} appearances differ (shape x fill); sourceConcepts.images is ${imageConcepts} (of ${APPEARANCE_COUNT} with colour)`,
    );
  return { colour, radius };
}

/**
 * The appearance and scene of one video or still under the nuisances, drawn from `rng` (its own stream, so
 * that a dataset without nuisances draws exactly what it drew before).
 */
export function withNuisance(appearance: Appearance, scene: SceneParams, n: Required<Nuisance>, rng: Rng): { appearance: Appearance; scene: SceneParams } {
  const colour = n.colour === 'random' ? (COLOUR_NAMES[rng.int(0, COLOUR_NAMES.length - 1)] as string) : appearance.color;
  return { appearance: { ...appearance, color: colour }, scene: { ...scene, radius: rng.uniform(n.radius[0], n.radius[1]) } };
}

/** The label of an appearance: its name, or under a `random` colour its shape and fill only. */
export function appearanceLabel(appearance: Appearance, n: Required<Nuisance>): string {
  return n.colour === 'random' ? `${appearance.striped ? 'striped-' : ''}${appearance.shape}` : appearance.name;
}
