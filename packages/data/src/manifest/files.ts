import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMacOsMetadata } from '../io/tar';
import { sortedNames } from './schema';

/** File extensions treated as videos when scanning folders. */
export const VIDEO_EXTENSIONS: readonly string[] = ['.avi', '.mp4', '.mkv', '.webm', '.mov', '.m4v', '.mpg', '.mpeg', '.flv'];

export function readTextFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read ${what}: ${(err as Error).message}`);
  }
}

/**
 * Scans `root/<Class>/<video>` and returns class name -> sorted video file names. A class folder with
 * no video is an error naming it; macOS metadata and non-video files are ignored.
 */
export function scanClassFolders(root: string, extensions: readonly string[] = VIDEO_EXTENSIONS): Map<string, string[]> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`${root}: video folder does not exist`);
  const out = new Map<string, string[]>();
  const dirs = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !isMacOsMetadata(e.name));
  for (const name of sortedNames(dirs.map((d) => d.name))) {
    const classDir = path.join(root, name);
    const videos = sortedNames(fs.readdirSync(classDir).filter((f) => !isMacOsMetadata(f) && extensions.includes(path.extname(f).toLowerCase())));
    if (videos.length === 0) throw new Error(`${classDir}: class folder '${name}' has no videos (${extensions.join(', ')})`);
    out.set(name, videos);
  }
  if (out.size === 0) throw new Error(`${root}: no class folders found`);
  return out;
}

export function stem(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}
