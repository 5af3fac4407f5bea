import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gunzip } from 'minizlib';
import { Parser, type ReadEntry } from 'tar';
import { tempPathFor } from '@ccl/base/node';

// Tar archives are parsed by node-tar (npm's own tar package: ustar, pax and GNU long names, header
// checksums), fed synchronously chunk by chunk: a `.tar.gz` is read and gunzipped (minizlib, node-tar's
// zlib) 64 KiB at a time, never whole, and the bytes it expands to are counted against a limit, so a gzip
// bomb stops with an error instead of filling memory or disk.

/** One regular file or folder of a tar archive. */
export interface TarEntry {
  /** Path inside the archive (pax / GNU long names and ustar prefixes resolved). */
  name: string;
  type: 'file' | 'directory';
  data: Uint8Array;
}

/** How far an archive may expand. */
export interface ArchiveLimits {
  /**
   * The most bytes the archive may expand to (its tar stream: headers, data, padding). Default: 64 times
   * the archive file's size, and at least 256 MiB (float features compress far less than 64:1; a gzip
   * bomb expands about 1000:1).
   */
  maxBytes?: number;
}

/** The default of {@link ArchiveLimits.maxBytes} for an archive file of `fileBytes` bytes. */
export function defaultMaxArchiveBytes(fileBytes: number): number {
  return Math.max(256 * 2 ** 20, 64 * fileBytes);
}

const CHUNK_BYTES = 64 * 1024;
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** What an entry is to this module: a file, a folder, or something skipped (links, devices). */
function kindOf(entry: ReadEntry): TarEntry['type'] | null {
  if (FILE_TYPES.has(entry.type)) return 'file';
  return entry.type === 'Directory' ? 'directory' : null;
}

/** Node-tar's parser fed synchronously; the first problem (a corrupt header, a consumer's error, the limit) is kept and thrown. */
class TarFeed {
  private failure: Error | null = null;
  private expanded = 0;
  private readonly parser = new Parser({ strict: true });
  private readonly gunzip: Gunzip | null;

  constructor(
    private readonly source: string,
    gzip: boolean,
    private readonly maxBytes: number,
    onEntry: (entry: ReadEntry) => void,
  ) {
    this.parser.on('entry', (entry: ReadEntry) => {
      if (this.failure) return void entry.resume();
      try {
        onEntry(entry);
      } catch (err) {
        this.fail(err);
        entry.resume();
      }
    });
    this.parser.on('error', (err: Error) => this.fail(new Error(`${source}: corrupt or truncated tar archive (${err.message})`)));
    this.gunzip = gzip ? new Gunzip({}) : null;
    this.gunzip?.on('data', (chunk: Buffer) => this.toParser(chunk));
  }

  /** Records the first failure (later ones are its consequences). */
  fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
  }

  private toParser(chunk: Buffer): void {
    this.expanded += chunk.length;
    if (this.expanded > this.maxBytes) {
      throw new Error(`${this.source}: expands to more than ${this.maxBytes} bytes (a compression bomb?); refused (ArchiveLimits.maxBytes raises the limit)`);
    }
    this.parser.write(chunk);
  }

  /** Feeds the next bytes of the file (or, with `end`, ends it); throws the first problem. */
  write(chunk: Uint8Array | null): void {
    if (!this.failure) {
      try {
        if (chunk === null) {
          this.gunzip?.end();
          this.parser.end();
        } else if (this.gunzip) this.gunzip.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        else this.toParser(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (err) {
        const message = (err as Error).message;
        this.fail(message.startsWith(`${this.source}:`) ? err : new Error(`${this.source}: cannot read archive: ${message}`));
      }
    }
    if (this.failure) throw this.failure;
  }
}

/**
 * Feeds `file` 64 KiB at a time into the TarFeed `makeFeed` makes for it (gzip or not, by its first two
 * bytes), then ends it; yields after each chunk, so a generator can hand over the entries finished so far.
 */
function* feedArchive(file: string, makeFeed: (gzip: boolean, fileBytes: number) => TarFeed): Generator<void> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new Error(`${file}: cannot read archive: ${(err as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(CHUNK_BYTES);
    let n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null);
    const feed = makeFeed(n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b, fs.fstatSync(fd).size);
    for (; n > 0; n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null)) {
      feed.write(buf.subarray(0, n));
      yield;
    }
    feed.write(null);
    yield;
  } finally {
    fs.closeSync(fd);
  }
}

/** Collects the files and folders of a tar stream, each whole (folders without their trailing `/`). */
function collector(out: TarEntry[]): (entry: ReadEntry) => void {
  return (entry) => {
    const type = kindOf(entry);
    if (type === null) return void entry.resume();
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => out.push({ name: type === 'directory' ? entry.path.replace(/\/$/, '') : entry.path, type, data: Buffer.concat(chunks) }));
  };
}

/**
 * Iterates the regular files and folders of an uncompressed tar archive in memory (ustar, pax and GNU
 * long-name extensions). Links and other special entries are skipped; header checksums are verified.
 */
export function* iterateTar(bytes: Uint8Array, source = '<tar>'): Generator<TarEntry> {
  const entries: TarEntry[] = [];
  const feed = new TarFeed(source, false, Number.POSITIVE_INFINITY, collector(entries));
  feed.write(bytes);
  feed.write(null);
  yield* entries;
}

/**
 * Iterates the files and folders of a `.tar.gz` / `.tgz` (or plain `.tar`) file, reading it a chunk at a
 * time: only the entries finished in the current chunk are held. It may expand to `maxBytes` (see
 * ArchiveLimits).
 */
export function* iterateTarGz(file: string, options: ArchiveLimits = {}): Generator<TarEntry> {
  const ready: TarEntry[] = [];
  for (const _ of feedArchive(file, (gzip, fileBytes) => new TarFeed(file, gzip, options.maxBytes ?? defaultMaxArchiveBytes(fileBytes), collector(ready)))) {
    yield* ready.splice(0);
  }
}

/** True for macOS resource-fork entries (`._name`) and `__MACOSX/` folders that archives made on a Mac carry. */
export function isMacOsMetadata(name: string): boolean {
  return name.split('/').some((part) => part.startsWith('._') || part === '__MACOSX' || part === '.DS_Store');
}

export interface ExtractOptions extends ArchiveLimits {
  /** Called once per skipped entry (macOS metadata); default `console.warn`. */
  onWarning?: (message: string) => void;
  /** fsync every extracted file (default false: files are still renamed into place atomically). */
  durable?: boolean;
}

/**
 * Where entry `name` goes under `root` (a real path), creating its folders: refused when it escapes
 * `root`, or when a folder on the way or the file itself is a symbolic link (writing through it could
 * land anywhere) or not what it should be. The folder it lands in is checked by its real path too.
 */
function targetOf(file: string, root: string, name: string, type: TarEntry['type']): string {
  const target = path.resolve(root, name);
  if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`${file}: entry '${name}' escapes the destination folder`);
  const folder = type === 'directory' ? target : path.dirname(target);
  let at = root;
  for (const part of path.relative(root, folder).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    const st = fs.lstatSync(at, { throwIfNoEntry: false });
    if (!st) fs.mkdirSync(at);
    else if (st.isSymbolicLink()) throw new Error(`${file}: entry '${name}' would be written through the symbolic link ${at}`);
    else if (!st.isDirectory()) throw new Error(`${file}: entry '${name}' needs ${at} to be a folder, but it is a file`);
  }
  const real = fs.realpathSync(folder);
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`${file}: entry '${name}' escapes the destination folder (through ${folder})`);
  if (type === 'file') {
    const st = fs.lstatSync(target, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw new Error(`${file}: entry '${name}' would replace the symbolic link ${target}`);
    if (st?.isDirectory()) throw new Error(`${file}: entry '${name}' is a file, but ${target} is a folder`);
  }
  return target;
}

/**
 * Extracts a `.tar.gz` (or `.tar`) archive into `destDir`, streaming: each file's bytes go to a temporary
 * file as they are read, which is then renamed into place (existing files replaced, atomically). macOS
 * `._*` entries are skipped with a warning; an entry escaping `destDir`, or one that would be written
 * through a symbolic link already in `destDir`, is refused; the archive may expand to `maxBytes` (see
 * ArchiveLimits). Returns the extracted file paths.
 */
export function extractTarGz(file: string, destDir: string, options: ExtractOptions = {}): string[] {
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  fs.mkdirSync(destDir, { recursive: true });
  const root = fs.realpathSync(destDir);
  const written: string[] = [];
  let open: { fd: number; tmp: string } | null = null;
  const discard = () => {
    if (!open) return;
    fs.closeSync(open.fd);
    fs.rmSync(open.tmp, { force: true });
    open = null;
  };
  const onEntry = (entry: ReadEntry) => {
    const type = kindOf(entry);
    if (type === null) return void entry.resume();
    if (isMacOsMetadata(entry.path)) {
      warn(`${file}: skipping macOS metadata entry '${entry.path}'`);
      return void entry.resume();
    }
    const target = targetOf(file, root, entry.path, type);
    if (type === 'directory') return void entry.resume();
    const tmp = tempPathFor(target);
    const current = { fd: fs.openSync(tmp, 'w'), tmp };
    open = current;
    entry.on('data', (c: Buffer) => {
      if (open !== current) return;
      try {
        for (let at = 0; at < c.length;) at += fs.writeSync(current.fd, c, at, c.length - at);
      } catch (err) {
        discard();
        feed?.fail(new Error(`${target}: cannot write: ${(err as Error).message}`));
      }
    });
    entry.on('end', () => {
      if (open !== current) return;
      try {
        if (options.durable) fs.fsyncSync(current.fd);
        fs.closeSync(current.fd);
        open = null;
        fs.renameSync(current.tmp, target);
        written.push(target);
      } catch (err) {
        fs.rmSync(current.tmp, { force: true });
        open = null;
        feed?.fail(new Error(`${target}: cannot write: ${(err as Error).message}`));
      }
    });
  };
  let feed: TarFeed | null = null;
  try {
    for (const _ of feedArchive(file, (gzip, fileBytes) => (feed = new TarFeed(file, gzip, options.maxBytes ?? defaultMaxArchiveBytes(fileBytes), onEntry)))) {
      // each chunk's files are written as they arrive
    }
  } finally {
    discard();
  }
  return written;
}
