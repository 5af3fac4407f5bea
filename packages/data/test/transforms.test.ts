import {
  KINETICS_MEAN,
  KINETICS_STD,
  centerCropBox,
  cropClip,
  evalClip,
  gatherFrames,
  hflipClip,
  loopPad,
  normalizeClip,
  pythonRound,
  randomResizedCropBox,
  resizeBilinearPil,
  resizeClip,
  resizeShortSideShape,
  slidingWindows,
  temporalCenterCrop,
  temporalEvenCrop,
  temporalRandomCrop,
  trainClip,
} from '../src';
import { createRng, type Rng } from '@ccl/base';
import type { ClipU8 } from '../src';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/** An Rng replaying scripted draws: uniform() consumes u in [0,1), int() consumes the integer itself. */
function scripted(us: number[], ints: number[]): Rng {
  const rng: Rng = {
    next: () => us.shift()!,
    uniform: (lo, hi) => lo + (hi - lo) * us.shift()!,
    int: () => ints.shift()!,
  };
  return rng;
}

describe('temporal transforms (reference semantics)', () => {
  it('loop-pads cyclically', () => {
    expect(loopPad([0, 1, 2], 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(loopPad([4, 5], 2)).toEqual([4, 5]);
    expect(() => loopPad([], 3)).toThrow(/no frames/);
  });

  it('random crop starts in [0, n - size - 1] and loop-pads short videos', () => {
    const starts = new Set<number>();
    const rng = createRng(11);
    for (let i = 0; i < 200; i++) {
      const c = temporalRandomCrop(20, 16, rng);
      expect(c).toEqual(range(c[0]!, c[0]! + 16));
      starts.add(c[0]!);
    }
    expect([...starts].sort()).toEqual([0, 1, 2, 3]);
    expect(temporalRandomCrop(10, 16, rng)).toEqual([...range(0, 10), ...range(0, 6)]);
    expect(temporalRandomCrop(16, 16, rng)).toEqual(range(0, 16));
    expect(() => temporalRandomCrop(0, 16, rng)).toThrow(/at least one frame/);
  });

  it('centre crop', () => {
    expect(temporalCenterCrop(20, 16)).toEqual(range(2, 18));
    expect(temporalCenterCrop(5, 8)).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect(temporalCenterCrop(21, 4)).toEqual([8, 9, 10, 11]);
  });

  it('even crops: stride ceil((n-1-size)/(k-1)), a loop-padded clip ends the list', () => {
    expect(temporalEvenCrop(50, 16, 3)).toEqual([range(0, 16), range(17, 33), range(34, 50)]);
    expect(temporalEvenCrop(20, 16, 3)).toEqual([range(0, 16), range(2, 18), range(4, 20)]);
    expect(temporalEvenCrop(10, 16, 3)).toEqual([[...range(0, 10), ...range(0, 6)]]);
    expect(temporalEvenCrop(40, 16, 1)).toEqual([range(0, 16)]);
  });

  it('sliding windows: non-overlapping by default, last one loop-padded', () => {
    expect(slidingWindows(32, 16)).toEqual([range(0, 16), range(16, 32)]);
    expect(slidingWindows(35, 16)).toEqual([range(0, 16), range(16, 32), loopPad([32, 33, 34], 16)]);
    expect(slidingWindows(20, 16, 8)).toEqual([range(0, 16), [...range(8, 20), 8, 9, 10, 11]]);
    expect(slidingWindows(3, 4)).toEqual([[0, 1, 2, 0]]);
  });
});

describe('spatial transforms', () => {
  it('rounds like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.7, -0.5, -1.5, 18.5].map(pythonRound)).toEqual([0, 2, 2, 4, -0, -2, 18]);
  });

  it('RandomResizedCrop: torchvision get_params on scripted draws, and its fallback', () => {
    // area 20000; scale u=1/3 -> 0.25+0.75/3=0.5 -> 10000; log-ratio u=0.5 -> aspect 1 -> 100x100; top randint(0,0), left randint(0,100) -> 37
    expect(randomResizedCropBox(100, 200, scripted([1 / 3, 0.5], [0, 37]))).toEqual({ top: 0, left: 37, height: 100, width: 100 });
    // aspect exp(log(4/3)) with area 0.25*20000=5000: w = round(sqrt(5000*4/3)) = 82, h = round(sqrt(3750)) = 61
    expect(randomResizedCropBox(100, 200, scripted([0, 1], [5, 6]))).toEqual({ top: 5, left: 6, height: 61, width: 82 });
    // scale > 1 never fits: fallback. W/H = 2 > 4/3 -> h = 100, w = round(133.33) = 133, centred.
    const us = Array.from({ length: 20 }, () => 0.5);
    expect(randomResizedCropBox(100, 200, scripted(us, []), { scale: [2, 3] })).toEqual({ top: 0, left: 33, height: 100, width: 133 });
    expect(randomResizedCropBox(90, 100, scripted(us.slice(), []), { scale: [2, 3] })).toEqual({ top: 0, left: 0, height: 90, width: 100 });
    const rng = createRng(5);
    for (let i = 0; i < 100; i++) {
      const b = randomResizedCropBox(60, 80, rng);
      expect(b.top + b.height).toBeLessThanOrEqual(60);
      expect(b.left + b.width).toBeLessThanOrEqual(80);
      expect(b.height * b.width).toBeGreaterThanOrEqual(0.25 * 4800 * 0.9);
    }
  });

  it('Pillow bilinear resize: hand-computed antialiased weights', () => {
    // 4 -> 2: support 2, weights [3/7, 3/7, 1/7] and [1/7, 3/7, 3/7]
    expect(Array.from(resizeBilinearPil(Uint8Array.from([0, 70, 140, 210]), 1, 4, 1, 1, 2))).toEqual([50, 160]);
    // 3 -> 2: support 1.5, weights [5/8, 3/8] on pixels 0,1 and [3/8, 5/8] on pixels 1,2
    expect(Array.from(resizeBilinearPil(Uint8Array.from([0, 80, 160]), 1, 3, 1, 1, 2))).toEqual([30, 130]);
    // 2 -> 4 upscale: plain bilinear with edge clamping
    expect(Array.from(resizeBilinearPil(Uint8Array.from([0, 100]), 1, 2, 1, 1, 4))).toEqual([0, 25, 75, 100]);
    // vertical pass, 2 channels
    expect(Array.from(resizeBilinearPil(Uint8Array.from([0, 200, 100, 0]), 2, 1, 2, 4, 1))).toEqual([0, 200, 25, 150, 75, 50, 100, 0]);
    const same = Uint8Array.from([1, 2, 3, 4]);
    expect(Array.from(resizeBilinearPil(same, 2, 2, 1, 2, 2))).toEqual([1, 2, 3, 4]);
    // a constant image stays constant
    expect(new Set(resizeBilinearPil(new Uint8Array(7 * 9 * 3).fill(77), 7, 9, 3, 5, 4))).toEqual(new Set([77]));
  });

  const tiny = (): ClipU8 => ({ data: Uint8Array.from(range(0, 24)), t: 2, h: 3, w: 4, c: 1 });

  it('crops, flips and gathers a tiny clip', () => {
    // frame 0 rows: [0 1 2 3] [4 5 6 7] [8 9 10 11]; frame 1 adds 12
    expect(Array.from(cropClip(tiny(), { top: 1, left: 1, height: 2, width: 2 }).data)).toEqual([5, 6, 9, 10, 17, 18, 21, 22]);
    expect(Array.from(hflipClip(tiny()).data.subarray(0, 4))).toEqual([3, 2, 1, 0]);
    expect(Array.from(gatherFrames(tiny(), [1, 1, 0]).data.subarray(0, 1))).toEqual([12]);
    expect(gatherFrames(tiny(), [1, 1, 0]).data[24]).toBe(0);
    expect(() => gatherFrames(tiny(), [2])).toThrow(/outside/);
    expect(() => cropClip(tiny(), { top: 2, left: 0, height: 2, width: 1 })).toThrow(/outside/);
  });

  it('centre crop and torchvision Resize(int) arithmetic', () => {
    expect(centerCropBox(5, 6, 3)).toEqual({ top: 1, left: 2, height: 3, width: 3 }); // round(1.5) = 2
    expect(centerCropBox(4, 7, 2)).toEqual({ top: 1, left: 2, height: 2, width: 2 }); // round(2.5) = 2
    expect(resizeShortSideShape(120, 160, 112)).toEqual({ height: 112, width: 149 });
    expect(resizeShortSideShape(240, 180, 112)).toEqual({ height: 149, width: 112 });
  });

  it('normalises with the Kinetics mean/std', () => {
    const clip: ClipU8 = { data: Uint8Array.from([255, 0, 51]), t: 1, h: 1, w: 1, c: 3 };
    const out = normalizeClip(clip);
    expect(out.data[0]).toBeCloseTo((1 - KINETICS_MEAN[0]) / KINETICS_STD[0], 6);
    expect(out.data[1]).toBeCloseTo(-KINETICS_MEAN[1] / KINETICS_STD[1], 6);
    expect(out.data[2]).toBeCloseTo((0.2 - KINETICS_MEAN[2]) / KINETICS_STD[2], 6);
  });
});

describe('clip pipelines', () => {
  // A 20-frame 48x64 video whose frame t is filled with 10 t, except a bright first column (flip marker).
  const T = 20;
  const video: ClipU8 = { data: new Uint8Array(T * 48 * 64 * 3), t: T, h: 48, w: 64, c: 3 };
  for (let t = 0; t < T; t++) video.data.fill(10 * t, t * 48 * 64 * 3, (t + 1) * 48 * 64 * 3);

  it('train clip: one parameter set per clip, reproducible per seed', () => {
    const a = trainClip(video, createRng(4), { size: 16 });
    const b = trainClip(video, createRng(4), { size: 16 });
    expect(a.params).toEqual(b.params);
    expect(Array.from(a.clip.data)).toEqual(Array.from(b.clip.data));
    expect([a.clip.t, a.clip.h, a.clip.w, a.clip.c]).toEqual([16, 16, 16, 3]);
    // every pixel of output frame k is the value of source frame frameIndices[k]
    a.params.frameIndices.forEach((src, k) => {
      const v = a.clip.data[k * 16 * 16 * 3]!;
      expect(v).toBeCloseTo(((10 * src) / 255 - KINETICS_MEAN[0]) / KINETICS_STD[0], 5);
    });
  });

  it('train clip crop and flip equal the hand-composed crop -> resize -> flip', () => {
    const marked: ClipU8 = { ...video, data: video.data.slice() };
    for (let t = 0; t < T; t++) for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) marked.data[((t * 48 + y) * 64 + x) * 3] = (x * 4 + y) & 255;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { clip, params } = trainClip(marked, createRng(seed), { size: 12, frames: 4 });
      let ref = resizeClip(cropClip(gatherFrames(marked, params.frameIndices), params.box), 12, 12);
      if (params.flipped) ref = hflipClip(ref);
      expect(Array.from(clip.data)).toEqual(Array.from(normalizeClip(ref).data));
    }
  });

  it('eval clip: short side to size then centre crop', () => {
    const v: ClipU8 = { data: new Uint8Array(1 * 12 * 15 * 1), t: 1, h: 12, w: 15, c: 1 };
    for (let y = 0; y < 12; y++) for (let x = 0; x < 15; x++) v.data[y * 15 + x] = 10 * x + y;
    // short side already 12 -> no resize; left = round(3/2) = 2 (half to even)
    const out = evalClip(v, { size: 12, mean: [0], std: [1 / 255] });
    expect(out.w).toBe(12);
    expect(Math.round(out.data[0]!)).toBe(20);
    expect(Math.round(out.data[11]!)).toBe(130);
  });
});
