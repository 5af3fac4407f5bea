import * as fs from 'node:fs';
import { holdOutValidation, type Manifest } from '@ccl/data';
import { readManifest, writeManifest } from '@ccl/data/node';
import { manifestOfCachedSamples, prepareClipCache, probeManifest } from '@ccl/data/media';
import { sharedSeed, type SyntheticExperimentOptions } from '../options';
import type { Stages } from '../stage';
import type { SynthesisedData } from './synthesise';

/**
 * Stage 2: probe the videos (mediainfo.js), decode them into the clip cache (ffmpeg) and hold out a
 * validation split; the prepared manifest is written to `preparedFile` and reused by a later run.
 */
export async function prepareCacheStage(
  stages: Stages,
  o: SyntheticExperimentOptions,
  synth: SynthesisedData,
  paths: { cacheDir: string; preparedFile: string },
): Promise<Manifest> {
  const { cacheDir, preparedFile } = paths;
  const sampleRate = synth.sampleRate;
  const manifest: Manifest = await stages.run('probe (mediainfo.js) and prepare the clip cache (ffmpeg)', async () => {
    if (fs.existsSync(preparedFile)) {
      stages.note('reusing the prepared manifest');
      const m = readManifest(preparedFile);
      const heldOut = ((m.meta ?? {}) as { validation?: { fraction?: number } }).validation?.fraction;
      if (heldOut !== (o.validationFraction ?? 0.15))
        throw new Error(
          `${preparedFile}: holds out ${heldOut} of the labelled videos for validation; this run asks for ${o.validationFraction ?? 0.15}: use another --work folder, or remove that one`,
        );
      // a worker of a parallel bench reads the cache its parent has just checked; the others would wait on its lock
      if (!o.only) await prepareClipCache({ manifest: m, cacheDir, shortSide: null, audioSampleRate: sampleRate });
      return m;
    }
    const { manifest: probed, failures } = await probeManifest(synth.manifest);
    for (const f of failures) stages.note(`probe failed: ${JSON.stringify(f)}`);
    const report = await prepareClipCache({ manifest: probed, cacheDir, shortSide: null, audioSampleRate: sampleRate });
    stages.note(`${report.prepared} videos decoded, ${report.alreadyCached} already cached, ${report.skipped.length} skipped`);
    const withVal = holdOutValidation(manifestOfCachedSamples(probed, report), { fraction: o.validationFraction ?? 0.15, seed: sharedSeed(o) }); // skipped videos stay in the report only
    writeManifest(preparedFile, withVal);
    return withVal;
  });
  const count = (split: string) => manifest.samples.filter((s) => s.split === split).length;
  stages.note(`${manifest.classes.length} classes; ${count('train')} train / ${count('val')} held-out validation / ${count('test')} test videos`);
  return manifest;
}
