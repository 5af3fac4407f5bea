import type { ClipU8 } from '@ccl/data';

// Frames of an HTML <video> through a canvas, in the page. A browser gives no frame rate, so it is measured:
// the video plays once (muted) while requestVideoFrameCallback records each presented frame's media time;
// the smallest step between two is one frame. Then every frame i is drawn at its own time t0 + (i + 1/2) / fps
// (seeking to mid-frame shows frame i whatever the rounding) at the video's own size.

function once(target: EventTarget, ok: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => (target.removeEventListener(ok, done), target.removeEventListener('error', bad), resolve());
    const bad = () => (target.removeEventListener(ok, done), target.removeEventListener('error', bad), reject(new Error(what)));
    target.addEventListener(ok, done);
    target.addEventListener('error', bad);
  });
}

/** Media times of the frames presented while the video plays once from the start (muted, at normal speed). */
export async function presentedFrameTimes(video: HTMLVideoElement): Promise<number[]> {
  const times: number[] = [];
  video.muted = true;
  video.currentTime = 0;
  await new Promise<void>((resolve, reject) => {
    const onFrame = (_now: number, meta: { mediaTime: number }) => {
      times.push(meta.mediaTime);
      if (!video.ended) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    video.addEventListener('ended', () => resolve(), { once: true });
    video.play().catch(reject);
  });
  return times;
}

/**
 * Frame rate and first frame time from presented media times (a constant frame rate): fps = 1 / the smallest
 * positive step; the first frame is the earliest time at or above 0 on that grid.
 */
export function frameRateOf(times: readonly number[]): { fps: number; start: number } {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) step = Math.min(step, (sorted[i] as number) - (sorted[i - 1] as number));
  if (!Number.isFinite(step) || step <= 0) throw new Error(`cannot measure the frame rate: ${sorted.length} distinct frame(s) presented`);
  // the first presented frame need not be the video's first (playback may start late): step back to it
  const first = sorted[0] as number;
  return { fps: 1 / step, start: first - step * Math.floor(first / step + 1e-6) };
}

/** Shows `url` in `video` and waits for its first frame. */
export async function openVideo(video: HTMLVideoElement, url: string, name = url): Promise<void> {
  video.preload = 'auto';
  video.muted = true;
  video.playsInline = true;
  const loaded = once(video, 'loadeddata', `${name}: the browser cannot decode this video (${video.error?.message ?? 'unsupported format?'})`);
  video.src = url;
  await loaded;
}

/** Every frame of an opened video as `[T, H, W, 3]` bytes (RGB), at its own size; `fps` measured unless given. */
export async function decodeVideoFrames(video: HTMLVideoElement, fps?: number): Promise<{ video: ClipU8; fps: number; start: number }> {
  const rate = fps ? { fps, start: 0 } : frameRateOf(await presentedFrameTimes(video));
  video.pause();
  const count = Math.max(1, Math.round((video.duration - rate.start) * rate.fps));
  const w = video.videoWidth;
  const h = video.videoHeight;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const data = new Uint8Array(count * h * w * 3);
  for (let i = 0; i < count; i++) {
    const seeked = once(video, 'seeked', `seeking frame ${i} failed`);
    video.currentTime = rate.start + (i + 0.5) / rate.fps;
    await seeked;
    ctx.drawImage(video, 0, 0, w, h);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const base = i * h * w * 3;
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
      data[base + q] = rgba[p] as number;
      data[base + q + 1] = rgba[p + 1] as number;
      data[base + q + 2] = rgba[p + 2] as number;
    }
  }
  return { video: { data, t: count, h, w, c: 3 }, fps: rate.fps, start: rate.start };
}
