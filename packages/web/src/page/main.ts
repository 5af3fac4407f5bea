// The page: picks a tfjs backend, loads the exported student from ./model/, classifies a video the user
// picks or drops (clips sampled in the page through <video> + canvas, as `ccl eval` samples them), shows
// the top-5 classes. `window.cclWeb` exposes the same steps to scripts (the end-to-end test drives it).
import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensors, type Encoder } from '@ccl/encoders';
import { evalWindowsOfVideo, logitsOfBatch, logitsOfClips, topClasses, type ClassScore } from '../classify';
import { loadStudent, parseStudentExport, type StudentExport } from '../student-export';
import { decodeVideoFrames, openVideo } from '../video-frames';
import { pickPageBackend, type PageBackend } from './backend';

const MODEL = 'model/';
const $ = (id: string) => document.getElementById(id)!;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadModel(): Promise<{ spec: StudentExport; student: Encoder }> {
  const specUrl = `${MODEL}student.json`;
  const res = await fetch(specUrl);
  if (!res.ok) throw new Error(`${specUrl}: HTTP ${res.status} (export a student into the served model folder: ccl export)`);
  const spec = parseStudentExport(await res.json(), specUrl);
  return { spec, student: loadStudent(spec, await fetchBytes(MODEL + spec.weights), MODEL + spec.weights) };
}

export interface VideoResult {
  top5: ClassScore[];
  windowLogits: number[][];
  frames: number;
  fps: number;
  size: { width: number; height: number };
  /** Milliseconds of inference (forward passes, read back) per clip; decoding excluded. */
  msPerClip: number;
  decodeMs: number;
  /** The decoded frames `[T, H, W, 3]`, base64 (for comparing with another decoder). */
  framesBase64?: string;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function showTop(top: ClassScore[]): void {
  $('top5').innerHTML = '<tr><th>class</th><th>score</th><th></th></tr>';
  for (const c of top) {
    const tr = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = c.name;
    const value = document.createElement('td');
    value.textContent = c.score.toFixed(3);
    const bar = document.createElement('td');
    bar.className = 'score';
    bar.innerHTML = `<div class="bar" style="width:${(100 * c.score).toFixed(1)}%"></div>`;
    tr.append(name, value, bar);
    $('top5').append(tr);
  }
}

async function start() {
  let backend: PageBackend;
  try {
    const forced = new URLSearchParams(location.search).get('backend');
    backend = await pickPageBackend(forced ? [forced] : undefined);
  } catch (e) {
    $('backend').textContent = (e as Error).message;
    $('backend').className = 'error';
    throw e;
  }
  $('backend').textContent = `tfjs backend: ${backend.name} (${backend.detail})${backend.skipped.map((s) => `; ${s.name} skipped: ${s.reason}`).join('')}`;
  const { spec, student } = await loadModel().catch((e: Error) => {
    $('model').textContent = e.message;
    $('model').className = 'error';
    throw e;
  });
  const { frames, size } = spec.clip;
  $('model').textContent =
    `student: ${spec.encoder} (${spec.source.method ?? 'run'}, ${spec.source.checkpoint}), ${spec.classes.length} classes, clips of ${frames} frames at ${size}x${size}`;
  const video = $('video') as HTMLVideoElement;

  async function classifyUrl(url: string, name = url, keepFrames = false): Promise<VideoResult> {
    $('status').textContent = `decoding ${name}…`;
    const t0 = performance.now();
    await openVideo(video, url, name);
    const decoded = await decodeVideoFrames(video);
    const clips = evalWindowsOfVideo(decoded.video, spec.clip);
    const t1 = performance.now();
    $('status').textContent = `${name}: ${decoded.video.t} frames at ${decoded.fps.toFixed(2)} fps, ${clips.length} clips; running the student…`;
    const windowLogits = await logitsOfClips(student, clips);
    const t2 = performance.now();
    const top5 = topClasses(windowLogits, spec.classes, 5);
    const msPerClip = (t2 - t1) / clips.length;
    showTop(top5);
    $('status').textContent =
      `${name}: ${decoded.video.t} frames (${decoded.video.w}x${decoded.video.h}) at ${decoded.fps.toFixed(2)} fps, ${clips.length} clips averaged; ${msPerClip.toFixed(1)} ms per clip on ${backend.name}`;
    return {
      top5,
      windowLogits,
      frames: decoded.video.t,
      fps: decoded.fps,
      size: { width: decoded.video.w, height: decoded.video.h },
      msPerClip,
      decodeMs: t1 - t0,
      ...(keepFrames ? { framesBase64: base64(decoded.video.data) } : {}),
    };
  }

  /**
   * The student's logits of a clip tensor `[B, T, S, S, 3]`, the tensor `clip` of a .safetensors file, and the
   * median time per clip over `repeats` runs (after one warm-up).
   */
  async function logitsOfClipUrl(url: string, repeats = 5): Promise<{ logits: number[][]; msPerClip: number; shape: number[] }> {
    const tensors = parseSafetensors(await fetchBytes(url), url);
    const clip = tensors.clip;
    try {
      if (!clip || clip.dtype !== 'float32') throw new Error(`${url}: no float32 tensor 'clip'`);
      if (clip.rank !== 5 || clip.shape[1] !== frames || clip.shape[2] !== size || clip.shape[3] !== size || clip.shape[4] !== 3) {
        throw new Error(`${url}: 'clip' is [${clip.shape.join(', ')}], the student takes [B, ${frames}, ${size}, ${size}, 3]`);
      }
      const shape = clip.shape as [number, number, number, number, number];
      const data = (await clip.data()) as Float32Array;
      const logits = await logitsOfBatch(student, data, shape);
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t = performance.now();
        await logitsOfBatch(student, data, shape);
        times.push((performance.now() - t) / shape[0]);
      }
      times.sort((a, b) => a - b);
      return { logits, msPerClip: times[Math.floor(times.length / 2)] ?? NaN, shape };
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  const pick = async (file: File) => {
    const url = URL.createObjectURL(file);
    try {
      await classifyUrl(url, file.name);
    } catch (e) {
      $('status').textContent = (e as Error).message;
      $('status').className = 'error';
    } finally {
      URL.revokeObjectURL(url);
    }
  };
  ($('file') as HTMLInputElement).addEventListener('change', (ev) => {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (file) void pick(file);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (ev) => (ev.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const file = ev.dataTransfer?.files[0];
    if (file) void pick(file);
  });
  return { backend, spec, classifyUrl, logitsOfClipUrl, numTensors: () => tf.memory().numTensors };
}

declare global {
  interface Window {
    cclWeb: ReturnType<typeof start>;
  }
}
window.cclWeb = start();
