import { createRng, shuffled } from '@ccl/base';
import type { Manifest, ManifestSample } from './schema';
import { validateManifest } from './schema';

export interface HoldOutOptions {
  /** Fraction of each class's training units moved to 'val' (default 0.1; at least one unit per class with >= 2 units). */
  fraction?: number;
  seed?: number;
  /**
   * Unit of hold-out. 'group' (default when samples carry `group`, e.g. UCF101) keeps all clips of one
   * (class, group) together, since clips of a group come from one long video and would leak; 'sample'
   * holds out single samples.
   */
  by?: 'group' | 'sample';
}

export interface HoldOutSplitOptions extends HoldOutOptions {
  /** The split the held-out training units move to. */
  into: 'val' | 'test';
}

/**
 * A held-out validation split taken out of the training split, stratified by class and seeded (METHOD §6: the
 * authors select checkpoints on the test split; this gives a validation split instead). Test samples
 * are untouched. Returns a new manifest with `meta.validation` describing the hold-out.
 */
export function holdOutValidation(manifest: Manifest, options: HoldOutOptions = {}): Manifest {
  return holdOutSplit(manifest, { ...options, into: 'val' });
}

/**
 * Moves a seeded, class-stratified share of the training units to the split `into` ('val': a held-out
 * validation split, recorded as `meta.validation`; 'test': a test split for a dataset that has none, recorded as
 * `meta.testSplit`). The same rules as `holdOutValidation`.
 */
export function holdOutSplit(manifest: Manifest, options: HoldOutSplitOptions): Manifest {
  const fraction = options.fraction ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`holdOut ${options.into}: fraction must be in (0, 1), got ${fraction}`);
  const train = manifest.samples.filter((s) => s.split === 'train');
  const by = options.by ?? (train.length > 0 && train.every((s) => s.group !== undefined) ? 'group' : 'sample');
  const unitOf = (s: ManifestSample): string => (by === 'group' ? `${s.label}\u0000g${s.group}` : `${s.label}\u0000${s.id}`);
  const unitsByClass = new Map<string, string[]>();
  for (const s of train) {
    const units = unitsByClass.get(s.label) ?? [];
    const u = unitOf(s);
    if (!units.includes(u)) units.push(u);
    unitsByClass.set(s.label, units);
  }
  const rng = createRng(options.seed ?? 1);
  const held = new Set<string>();
  for (const label of manifest.classes) {
    const units = (unitsByClass.get(label) ?? []).sort();
    if (units.length < 2) continue;
    const n = Math.min(units.length - 1, Math.max(1, Math.round(units.length * fraction)));
    for (const u of shuffled(units, rng).slice(0, n)) held.add(u);
  }
  const into = options.into;
  const samples = manifest.samples.map((s) => (s.split === 'train' && held.has(unitOf(s)) ? { ...s, split: into } : s));
  const record = { heldOutFrom: 'train', fraction, seed: options.seed ?? 1, by };
  const out: Manifest = { ...manifest, samples, meta: { ...(manifest.meta ?? {}), [into === 'val' ? 'validation' : 'testSplit']: record } };
  return validateManifest(out, manifest.dataset);
}
