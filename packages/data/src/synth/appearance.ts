/**
 * Appearances and motions of the synthetic video classes. A class is one (appearance, motion) pair,
 * assigned so that every appearance and every motion occurs in several classes: neither a single frame
 * (appearance) nor motion alone identifies the class.
 */

/** Inside-test of a unit shape: (dx, dy) are offsets from the centre divided by the radius. */
export type ShapeTest = (dx: number, dy: number) => boolean;

export const SHAPES: Record<string, ShapeTest> = {
  disk: (dx, dy) => dx * dx + dy * dy <= 1,
  square: (dx, dy) => Math.max(Math.abs(dx), Math.abs(dy)) <= 0.8,
  triangle: (dx, dy) => dy >= -1 && dy <= 0.8 && Math.abs(dx) <= (dy + 1) * 0.55,
  ring: (dx, dy) => {
    const d = dx * dx + dy * dy;
    return d <= 1 && d >= 0.36;
  },
  cross: (dx, dy) => (Math.abs(dx) <= 0.3 && Math.abs(dy) <= 1) || (Math.abs(dy) <= 0.3 && Math.abs(dx) <= 1),
  diamond: (dx, dy) => Math.abs(dx) + Math.abs(dy) <= 1,
};

export const COLORS: Record<string, [number, number, number]> = {
  red: [220, 40, 40],
  blue: [40, 80, 230],
  green: [40, 190, 60],
  yellow: [235, 215, 40],
  magenta: [210, 50, 200],
  cyan: [40, 210, 220],
};

export interface Appearance {
  name: string;
  shape: string;
  color: string;
  /** Striped fill (alternate bands darkened) instead of a solid one. */
  striped: boolean;
}

const SHAPE_ORDER = ['disk', 'square', 'triangle', 'ring', 'cross', 'diamond'];
const COLOR_ORDER = ['red', 'blue', 'green', 'yellow', 'magenta', 'cyan'];

/**
 * Blocks of six appearances: block b pairs shape i with colour (i + colorShift) mod 6 and the block's
 * fill. The first two blocks are the original twelve (six solid, six striped); the other ten use the
 * remaining (colour shift, fill) combinations, so all 72 (shape, colour, fill) triples occur exactly once.
 */
const APPEARANCE_BLOCKS: { colorShift: number; striped: boolean }[] = [
  { colorShift: 0, striped: false },
  { colorShift: 3, striped: true },
  ...[1, 4, 2, 5, 3]
    .map((colorShift) => ({ colorShift, striped: false }))
    .flatMap((solid) => [solid, { colorShift: (solid.colorShift + 3) % 6, striped: true }]),
];

/** How many distinct appearances `appearanceAt` knows (6 shapes x 6 colours x solid / striped). */
export const APPEARANCE_COUNT = APPEARANCE_BLOCKS.length * SHAPE_ORDER.length;

/**
 * The a-th appearance (0 <= a < 72): six solid shape/colour pairs, six striped ones (the original
 * twelve, used by the video classes), then further blocks of six (teachers' broader source data).
 */
export function appearanceAt(a: number): Appearance {
  if (!(Number.isInteger(a) && a >= 0 && a < APPEARANCE_COUNT)) throw new Error(`appearance index must be 0-${APPEARANCE_COUNT - 1}, got ${a}`);
  const block = APPEARANCE_BLOCKS[Math.floor(a / 6)]!;
  const shape = SHAPE_ORDER[a % 6] as string;
  const color = COLOR_ORDER[(a + block.colorShift) % 6] as string;
  return { name: `${block.striped ? 'striped-' : ''}${color}-${shape}`, shape, color, striped: block.striped };
}

/** Object state at clip time u in [0, 1): centre (fractions of width/height) and radius factor. */
export type MotionPath = (u: number, cycles: number, phase: number) => { cx: number; cy: number; scale: number };

export const MOTIONS: Record<string, MotionPath> = {
  'left-right': (u, c, p) => ({ cx: 0.5 + 0.3 * Math.sin(2 * Math.PI * (c * u + p)), cy: 0.5, scale: 1 }),
  'up-down': (u, c, p) => ({ cx: 0.5, cy: 0.5 + 0.3 * Math.sin(2 * Math.PI * (c * u + p)), scale: 1 }),
  circle: (u, c, p) => ({ cx: 0.5 + 0.25 * Math.cos(2 * Math.PI * (c * u + p)), cy: 0.5 + 0.25 * Math.sin(2 * Math.PI * (c * u + p)), scale: 1 }),
  zoom: (u, c, p) => ({ cx: 0.5, cy: 0.5, scale: 0.55 + 0.7 * (0.5 + 0.5 * Math.sin(2 * Math.PI * (c * u + p))) }),
  diagonal: (u, c, p) => {
    const s = 0.28 * Math.sin(2 * Math.PI * (c * u + p));
    return { cx: 0.5 + s, cy: 0.5 + s, scale: 1 };
  },
  still: () => ({ cx: 0.5, cy: 0.5, scale: 1 }),
};

export const MOTION_ORDER = ['left-right', 'up-down', 'circle', 'zoom', 'diagonal', 'still'];

/**
 * (appearance, motion) of class k among K classes, with A = M = ceil(sqrt(K)):
 * a = k mod A, m = (k mod A + floor(k / A)) mod M. Pairs are distinct and, for K >= 4, every appearance
 * and every motion is shared by at least two classes.
 */
export function classComposition(k: number, numClasses: number): { appearance: number; motion: number } {
  const side = Math.ceil(Math.sqrt(numClasses));
  if (side > 6) throw new Error(`at most 36 synthetic classes are supported, got ${numClasses}`);
  return { appearance: k % side, motion: ((k % side) + Math.floor(k / side)) % side };
}
