import * as fs from 'node:fs';
import { crc32 } from '../io/image-audio-files';
import { writeFileAtomicSync } from '@ccl/base/node';

/**
 * The transform settings a clip was cached with (prepare's options, and the sample's segment). A later
 * prepare with other settings rebuilds the clip instead of reusing it.
 */
export interface ClipCacheSettings {
  /** Short side of the frames in pixels; null: the native size. */
  shortSide: number | null;
  /** Rate of the cached mono audio in Hz; null: no audio was asked for. */
  audioSampleRate: number | null;
  /** The trimmed segment `[start, end]` in seconds; null: the whole video. */
  segment: [number, number] | null;
}

/** Whether a clip cached with `cached` settings (undefined: not recorded, an older file) can serve a run with `wanted`. */
export function sameClipSettings(cached: ClipCacheSettings | undefined, wanted: ClipCacheSettings): boolean {
  if (cached === undefined) return false;
  const segment = (x: ClipCacheSettings) => (Array.isArray(x.segment) ? `${x.segment[0]},${x.segment[1]}` : null);
  return cached.shortSide === wanted.shortSide && cached.audioSampleRate === wanted.audioSampleRate && segment(cached) === segment(wanted);
}

/**
 * One cached video: `CCLCLIP1` magic, uint32 LE header length, a JSON header, then the frames
 * (uint8 `[T, H, W, C]`) and optionally mono float32 LE audio. The header carries the payload sizes and
 * a CRC-32 of the frames, so a damaged file is detected instead of being trained on.
 */
export interface ClipFileHeader {
  id: string;
  t: number;
  h: number;
  w: number;
  c: number;
  fps: number;
  framesCrc32: number;
  audio?: { sampleRate: number; samples: number };
  source?: string;
  /** What the clip was made with; absent in files written before settings were recorded. */
  settings?: ClipCacheSettings;
}

const MAGIC = Buffer.from('CCLCLIP1', 'latin1');

export function encodeClipFile(header: Omit<ClipFileHeader, 'framesCrc32'>, frames: Uint8Array, audio?: Float32Array): Uint8Array {
  if (frames.length !== header.t * header.h * header.w * header.c)
    throw new Error(`encodeClipFile: ${frames.length} bytes is not ${header.t}x${header.h}x${header.w}x${header.c}`);
  const full: ClipFileHeader = { ...header, framesCrc32: crc32(frames) };
  if (audio) full.audio = { sampleRate: header.audio?.sampleRate ?? 0, samples: audio.length };
  const json = Buffer.from(JSON.stringify(full), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const audioBytes = audio ? Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength) : Buffer.alloc(0);
  return Buffer.concat([MAGIC, len, json, frames, audioBytes]);
}

/** Writes a clip file atomically (temp + fsync + rename). */
export function writeClipFile(file: string, header: Omit<ClipFileHeader, 'framesCrc32'>, frames: Uint8Array, audio?: Float32Array): void {
  writeFileAtomicSync(file, encodeClipFile(header, frames, audio));
}

/** Where the payloads of an opened clip file start. */
export interface ClipFileInfo {
  file: string;
  header: ClipFileHeader;
  framesOffset: number;
  audioOffset: number;
}

/** Reads and checks a clip file's header and size (not the CRC: see readClipFrames / verifyClipFile). */
export function openClipFile(file: string): ClipFileInfo {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new Error(`${file}: cannot open cached clip: ${(err as Error).message}`, { cause: err });
  }
  try {
    const size = fs.fstatSync(fd).size;
    const pre = Buffer.alloc(12);
    if (fs.readSync(fd, pre, 0, 12, 0) < 12 || !pre.subarray(0, 8).equals(MAGIC)) throw new Error(`${file}: not a ccl clip file (bad magic)`);
    const hlen = pre.readUInt32LE(8);
    if (12 + hlen > size) throw new Error(`${file}: truncated clip file header`);
    const hbuf = Buffer.alloc(hlen);
    fs.readSync(fd, hbuf, 0, hlen, 12);
    let header: ClipFileHeader;
    try {
      header = JSON.parse(hbuf.toString('utf8'));
    } catch {
      throw new Error(`${file}: corrupt clip file header`);
    }
    const framesOffset = 12 + hlen;
    const frameBytes = header.t * header.h * header.w * header.c;
    const audioBytes = (header.audio?.samples ?? 0) * 4;
    if (framesOffset + frameBytes + audioBytes !== size)
      throw new Error(`${file}: clip file has ${size} bytes, header describes ${framesOffset + frameBytes + audioBytes}`);
    return { file, header, framesOffset, audioOffset: framesOffset + frameBytes };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the frames at the given positions (positioned reads: only those frames leave the disk). Returns `[K, H, W, C]`. */
export function readClipFrames(info: ClipFileInfo, indices: readonly number[]): Uint8Array {
  const { t, h, w, c } = info.header;
  const frame = h * w * c;
  const out = new Uint8Array(indices.length * frame);
  const fd = fs.openSync(info.file, 'r');
  try {
    indices.forEach((idx, k) => {
      if (!(Number.isInteger(idx) && idx >= 0 && idx < t)) throw new Error(`${info.file}: frame ${idx} outside [0, ${t})`);
      fs.readSync(fd, out, k * frame, frame, info.framesOffset + idx * frame);
    });
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** Reads the cached audio (mono float32), or null when none was cached. */
export function readClipAudio(info: ClipFileInfo): Float32Array | null {
  if (!info.header.audio) return null;
  const n = info.header.audio.samples;
  const buf = Buffer.alloc(n * 4);
  const fd = fs.openSync(info.file, 'r');
  try {
    fs.readSync(fd, buf, 0, n * 4, info.audioOffset);
  } finally {
    fs.closeSync(fd);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(4 * i);
  return out;
}

/** Full check of a clip file: header, size and the frames' CRC-32. Throws naming the file. */
export function verifyClipFile(file: string): ClipFileInfo {
  const info = openClipFile(file);
  const frames = readClipFrames(
    info,
    Array.from({ length: info.header.t }, (_, i) => i),
  );
  if (crc32(frames) !== info.header.framesCrc32) throw new Error(`${file}: frame data CRC mismatch (corrupt cache entry)`);
  return info;
}
