import type { Rng } from '@ccl/base';
import type { Appearance } from './appearance';
import { COLORS, MOTIONS, SHAPES } from './appearance';

/** Per-video randomness of the scene: background, motion speed/phase, object size. */
export interface SceneParams {
  background: [number, number, number];
  gradient: [number, number, number];
  cycles: number;
  phase: number;
  radius: number; // fraction of the short side
  offset: [number, number];
}

export function randomScene(rng: Rng): SceneParams {
  const grey = rng.int(40, 120);
  return {
    background: [grey + rng.int(-20, 20), grey + rng.int(-20, 20), grey + rng.int(-20, 20)],
    gradient: [rng.int(-40, 40), rng.int(-40, 40), rng.int(-40, 40)],
    cycles: rng.uniform(0.8, 1.5),
    phase: rng.uniform(0, 1),
    radius: rng.uniform(0.16, 0.24),
    offset: [rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05)],
  };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Renders one RGB frame `[H, W, 3]`: a vertical-gradient background with per-pixel noise (`noise` levels,
 * from the rng) and the appearance's shape placed by `motion` at clip time u.
 */
export function renderFrame(
  width: number,
  height: number,
  appearance: Appearance,
  motion: string,
  u: number,
  scene: SceneParams,
  rng: Rng,
  noise = 12,
): Uint8Array {
  const path = MOTIONS[motion];
  if (!path) throw new Error(`unknown motion '${motion}'`);
  const inside = SHAPES[appearance.shape];
  if (!inside) throw new Error(`unknown shape '${appearance.shape}'`);
  const color = COLORS[appearance.color] as [number, number, number];
  const { cx, cy, scale } = path(u, scene.cycles, scene.phase);
  const r = scene.radius * scale * Math.min(width, height);
  const ox = (cx + scene.offset[0]) * width;
  const oy = (cy + scene.offset[1]) * height;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const g = y / Math.max(1, height - 1) - 0.5;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const dx = (x + 0.5 - ox) / r;
      const dy = (y + 0.5 - oy) / r;
      const hit = inside(dx, dy);
      const dark = hit && appearance.striped && Math.floor((y + 0.5 - oy + 4 * r) / Math.max(1, r / 3)) % 2 === 1 ? 0.45 : 1;
      for (let c = 0; c < 3; c++) {
        const base = hit ? (color[c] as number) * dark : (scene.background[c] as number) + (scene.gradient[c] as number) * g;
        out[i + c] = clamp(base + (rng.next() - 0.5) * 2 * noise);
      }
    }
  }
  return out;
}
