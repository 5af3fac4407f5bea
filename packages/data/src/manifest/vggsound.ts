import type { Manifest, ManifestSample, SplitName } from './schema';
import { makeManifest } from './schema';
import { readTextFile } from './files';
import { existingArg, registerDataset } from './datasets';

/** Splits one CSV line (RFC 4180 quoting: "a, b" and doubled quotes). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface VggSoundOptions {
  /** The official `vggsound.csv`: `youtube_id,start_seconds,label,split` (no header). */
  csvFile: string;
  classes?: readonly string[];
  /** Clip length in seconds (10). */
  clipSeconds?: number;
  /**
   * Whether each file is the whole YouTube video (a custom `videoName`): then the clip is the segment
   * [start, start + clipSeconds] inside it. Default false: the file is the downloaded 10-s clip itself
   * (`<id>_<start>.mp4`), used whole; `start` only names it.
   */
  fullVideos?: boolean;
  /** File name of a clip (default `<id>_<start, 6 digits>.mp4`). */
  videoName?: (youtubeId: string, startS: number) => string;
  videoRoot?: string;
  dataset?: string;
}

/** VGGSound from its CSV: one 10-s clip per row, id `<youtubeId>_<start 6 digits>`; the file is the clip (see `fullVideos`). */
export function buildVggSoundManifest(options: VggSoundOptions): Manifest {
  const file = options.csvFile;
  const clip = options.clipSeconds ?? 10;
  const videoName = options.videoName ?? ((id: string, s: number) => `${id}_${String(s).padStart(6, '0')}.mp4`);
  const samples: ManifestSample[] = [];
  readTextFile(file, 'VGGSound CSV')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      if (raw.trim().length === 0) return;
      const cols = parseCsvLine(raw);
      if (i === 0 && /^(# ?)?youtube_?id$/i.test((cols[0] ?? '').trim())) return; // optional header
      if (cols.length !== 4) throw new Error(`${file}:${i + 1}: expected 4 columns (youtube_id,start_seconds,label,split), got ${cols.length}`);
      const [ytid, startText, label, splitText] = cols.map((c) => c.trim()) as [string, string, string, string];
      const start = Number(startText);
      if (!Number.isInteger(start) || start < 0) throw new Error(`${file}:${i + 1}: start second '${startText}' is not a non-negative integer`);
      if (splitText !== 'train' && splitText !== 'test') throw new Error(`${file}:${i + 1}: split must be 'train' or 'test', got '${splitText}'`);
      const id = `${ytid}_${String(start).padStart(6, '0')}`;
      const sample: ManifestSample = { id, label, split: splitText as SplitName, video: videoName(ytid, start) };
      if (options.fullVideos) sample.segment = [start, start + clip];
      samples.push(sample);
    });
  if (samples.length === 0) throw new Error(`${file}: no rows`);
  const args: Parameters<typeof makeManifest>[0] = { dataset: options.dataset ?? 'vggsound', samples, source: file };
  if (options.classes) args.classes = options.classes;
  if (options.videoRoot !== undefined) args.root = options.videoRoot;
  return makeManifest(args);
}

registerDataset({
  name: 'vggsound',
  description: 'VGGSound (the released CSV of clips)',
  arguments: { root: 'folder of the downloaded 10-s clips (<id>_<start, 6 digits>.mp4)', annotations: 'the CSV' },
  required: ['root', 'annotations'],
  buildManifest: ({ root, annotations }) => buildVggSoundManifest({ csvFile: existingArg(annotations, 'annotations'), videoRoot: root }),
});
