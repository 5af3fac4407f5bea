import * as path from 'node:path';
import type { Manifest } from '../manifest/schema';
import { probeMedia, toManifestProbe } from './probe';

/** Resolves a sample's video path against the manifest root. */
export function resolveVideoPath(manifest: Manifest, video: string): string {
  return manifest.root !== undefined && !path.isAbsolute(video) ? path.join(manifest.root, video) : video;
}

export interface ProbeFailure {
  id: string;
  file: string;
  reason: string;
}

/**
 * Probes every sample's video and caches the result in `sample.probe` (samples already probed are
 * kept). Files that fail are listed in `failures` (never thrown) so one bad file does not stop a
 * dataset; the returned manifest is a new object.
 */
export async function probeManifest(manifest: Manifest, options: { reprobe?: boolean } = {}): Promise<{ manifest: Manifest; failures: ProbeFailure[] }> {
  const failures: ProbeFailure[] = [];
  const samples = [];
  for (const s of manifest.samples) {
    if (!s.video || (s.probe && !options.reprobe)) {
      samples.push(s);
      continue;
    }
    const file = resolveVideoPath(manifest, s.video);
    try {
      samples.push({ ...s, probe: toManifestProbe(await probeMedia(file)) });
    } catch (err) {
      failures.push({ id: s.id, file, reason: (err as Error).message });
      samples.push(s);
    }
  }
  return { manifest: { ...manifest, samples }, failures };
}
