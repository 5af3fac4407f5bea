import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTempName, writeFileAtomicSync, writeJsonAtomicSync } from './atomic-write';
import { processAlive } from './process-alive';

/** The record, in an output folder, of the files a ccl command wrote there. */
export const OUTPUT_RECORD = '.ccl-output.json';
const RECORD_FORMAT = 'ccl-output/1';

interface OutputRecord {
  format: typeof RECORD_FORMAT;
  /** The command that wrote the folder, e.g. "ccl report". */
  writer: string;
  /** The files it wrote, names inside the folder. */
  files: string[];
}

export interface OutputFolderOptions {
  /** What writes the folder ("ccl report", "ccl export"); a folder another writer recorded is not ours. */
  writer: string;
  /**
   * Write into a non-empty folder that is not ours all the same: files of the same names are replaced,
   * nothing else is touched (default false: refused).
   */
  force?: boolean;
}

/** A plain file name: no folder part, not `.` or `..`. */
const isPlainName = (name: string) => name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);

function readRecord(file: string): OutputRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<OutputRecord>;
    const ok =
      r.format === RECORD_FORMAT && typeof r.writer === 'string' && Array.isArray(r.files) && r.files.every((f) => typeof f === 'string' && isPlainName(f));
    return ok ? (r as OutputRecord) : null;
  } catch {
    return null; // absent, or not our record
  }
}

/** Up to 8 names, then how many more. */
const nameSome = (names: readonly string[]) => (names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`);

/**
 * An output folder a ccl command writes a set of files into (a report, an export) without touching
 * anything of the user's: it must be empty, absent, or hold this writer's record `.ccl-output.json`, which
 * lists every file the writer put there (`force` writes into any folder, replacing only files of the same
 * names). Files are written atomically, each listed in the record before it is written; `finish()` then
 * removes the files of the previous output that this one did not write again (stale figures of an older
 * report), and only those.
 */
export class OutputFolder {
  private readonly record: string;
  private readonly written: string[] = [];

  private constructor(
    readonly dir: string,
    private readonly writer: string,
    /** The files the folder's record listed before this output (ours to remove). */
    private readonly previous: readonly string[],
  ) {
    this.record = path.join(dir, OUTPUT_RECORD);
  }

  /** Checks `dir` (see the class) for writing, creating nothing yet; throws a one-line error naming the folder and what is in it. */
  static open(dir: string, options: OutputFolderOptions): OutputFolder {
    const record = readRecord(path.join(dir, OUTPUT_RECORD));
    const ours = record !== null && record.writer === options.writer;
    if (!ours && !options.force && fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir}: is a file, not a folder`);
      const theirs = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => parseTempName(e.name)?.target !== OUTPUT_RECORD)
        .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
        .sort();
      if (theirs.length) {
        const whose = record ? `written by ${record.writer}, not ${options.writer}` : `not written by ${options.writer}`;
        throw new Error(
          `${dir}: is not empty and ${whose} (${nameSome(theirs)}); choose an empty or new folder, or pass --force to write into it (files of the same names are replaced, nothing else is removed)`,
        );
      }
    }
    return new OutputFolder(dir, options.writer, ours ? record.files : []);
  }

  /** Writes `name` (a plain file name) atomically, listing it in the folder's record first; returns its path. */
  write(name: string, data: string | Uint8Array): string {
    if (!isPlainName(name) || name === OUTPUT_RECORD) throw new Error(`${this.dir}: cannot write '${name}' (not a plain file name, or the folder's record)`);
    if (!this.written.includes(name)) this.written.push(name);
    this.saveRecord([...new Set([...this.previous, ...this.written])]);
    const file = path.join(this.dir, name);
    writeFileAtomicSync(file, data);
    return file;
  }

  /**
   * Ends the output: removes the files the previous output listed that this one did not write (and
   * temporary files of killed writes of our files), then records only this output's files. Returns the
   * removed files' paths.
   */
  finish(): string[] {
    const keep = new Set(this.written);
    const ourNames = new Set([...this.previous, ...this.written, OUTPUT_RECORD]);
    const removed: string[] = [];
    for (const name of this.previous) {
      if (keep.has(name)) continue;
      const file = path.join(this.dir, name);
      if (fs.lstatSync(file, { throwIfNoEntry: false })?.isDirectory() === false) {
        fs.rmSync(file, { force: true });
        removed.push(file);
      }
    }
    for (const e of fs.existsSync(this.dir) ? fs.readdirSync(this.dir, { withFileTypes: true }) : []) {
      const t = parseTempName(e.name);
      if (e.isFile() && t && ourNames.has(t.target) && !processAlive(t.pid)) fs.rmSync(path.join(this.dir, e.name), { force: true });
    }
    this.saveRecord(this.written);
    return removed;
  }

  private saveRecord(files: readonly string[]): void {
    const r: OutputRecord = { format: RECORD_FORMAT, writer: this.writer, files: [...files] };
    writeJsonAtomicSync(this.record, r);
  }
}
