import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomicSync } from '@ccl/base/node';

/** One regular file or folder of a tar archive. */
export interface TarEntry {
  /** Path inside the archive (pax / GNU long names and ustar prefixes resolved). */
  name: string;
  type: 'file' | 'directory';
  data: Uint8Array;
}

function readString(block: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString('utf8');
}

function readOctal(block: Uint8Array, start: number, len: number): number {
  const text = readString(block, start, len).trim();
  return text.length === 0 ? 0 : parseInt(text, 8);
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = Buffer.from(data).toString('utf8');
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = parseInt(text.slice(i, sp), 10);
    if (!(len > 0)) break;
    const record = text.slice(sp + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * Iterates the regular files and folders of an uncompressed tar archive (ustar, pax and GNU long-name
 * extensions). Links and other special entries are skipped. Header checksums are verified.
 */
export function* iterateTar(bytes: Uint8Array, source = '<tar>'): Generator<TarEntry> {
  let off = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (off + 512 <= bytes.length) {
    const block = bytes.subarray(off, off + 512);
    if (block.every((b) => b === 0)) return;
    const stored = readOctal(block, 148, 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
    if (sum !== stored) throw new Error(`${source}: corrupt tar header at byte ${off} (checksum mismatch)`);
    const size = readOctal(block, 124, 12);
    const typeflag = String.fromCharCode(block[156] as number);
    const magic = readString(block, 257, 6);
    const prefix = magic.startsWith('ustar') ? readString(block, 345, 155) : '';
    const baseName = readString(block, 0, 100);
    const dataStart = off + 512;
    if (dataStart + size > bytes.length) throw new Error(`${source}: truncated tar archive (entry '${baseName}' needs ${size} bytes)`);
    const data = bytes.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (typeflag === 'L') {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (typeflag === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (typeflag === 'g') continue;
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${baseName}` : baseName);
    longName = undefined;
    pax = {};
    if (typeflag === '0' || typeflag === '\0' || typeflag === '7') yield { name, type: 'file', data };
    else if (typeflag === '5') yield { name: name.replace(/\/$/, ''), type: 'directory', data };
  }
}

/** Reads a `.tar.gz` / `.tgz` (or plain `.tar`) file into memory and iterates its entries. */
export function* iterateTarGz(file: string): Generator<TarEntry> {
  let bytes: Uint8Array;
  try {
    const raw = fs.readFileSync(file);
    bytes = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  } catch (err) {
    throw new Error(`${file}: cannot read archive: ${(err as Error).message}`);
  }
  yield* iterateTar(bytes, file);
}

/** True for macOS resource-fork entries (`._name`) and `__MACOSX/` folders that archives made on a Mac carry. */
export function isMacOsMetadata(name: string): boolean {
  return name.split('/').some((part) => part.startsWith('._') || part === '__MACOSX' || part === '.DS_Store');
}

export interface ExtractOptions {
  /** Called once per skipped entry (macOS metadata); default `console.warn`. */
  onWarning?: (message: string) => void;
  /** fsync every extracted file (default false: files are still renamed into place atomically). */
  durable?: boolean;
}

/**
 * Extracts a `.tar.gz` archive into `destDir` (files written atomically; existing files replaced).
 * macOS `._*` entries are skipped with a warning; entries escaping `destDir` are rejected. Returns the
 * extracted file paths.
 */
export function extractTarGz(file: string, destDir: string, options: ExtractOptions = {}): string[] {
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  const root = path.resolve(destDir);
  fs.mkdirSync(root, { recursive: true });
  const written: string[] = [];
  for (const entry of iterateTarGz(file)) {
    if (isMacOsMetadata(entry.name)) {
      warn(`${file}: skipping macOS metadata entry '${entry.name}'`);
      continue;
    }
    const target = path.resolve(root, entry.name);
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`${file}: entry '${entry.name}' escapes the destination folder`);
    if (entry.type === 'directory') fs.mkdirSync(target, { recursive: true });
    else {
      writeFileAtomicSync(target, entry.data, { durable: options.durable ?? false });
      written.push(target);
    }
  }
  return written;
}
