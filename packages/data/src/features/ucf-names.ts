/** Parts of a UCF101 video id `v_<Class>_gGG_cCC` (group 1-25, clip 1-n). */
export interface UcfVideoName {
  id: string;
  className: string;
  group: number;
  clip: number;
}

const UCF_ID = /^v_(.+)_g(\d{2})_c(\d{2})$/;

/** Parses `v_<Class>_gGG_cCC` (with or without an extension); null when the name does not match. */
export function parseUcfVideoName(fileName: string): UcfVideoName | null {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]+$/, '');
  const m = UCF_ID.exec(base);
  if (!m) return null;
  return { id: base, className: m[1] as string, group: Number(m[2]), clip: Number(m[3]) };
}

/**
 * UCF101's three official splits hold out 7 of the 25 groups for testing:
 * split 1 -> g01-g07, split 2 -> g08-g14, split 3 -> g15-g21 (the rest, incl. g22-g25, train).
 */
export function ucfTestGroups(split: 1 | 2 | 3): [number, number] {
  const table: Record<number, [number, number]> = { 1: [1, 7], 2: [8, 14], 3: [15, 21] };
  const range = table[split];
  if (!range) throw new Error(`UCF101 split must be 1, 2 or 3, got ${split}`);
  return range;
}

/** 'train' or 'test' for a UCF101 group under an official split. */
export function ucfSplitOfGroup(group: number, split: 1 | 2 | 3): 'train' | 'test' {
  const [lo, hi] = ucfTestGroups(split);
  return group >= lo && group <= hi ? 'test' : 'train';
}
