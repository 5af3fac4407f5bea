import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '@ccl/base/node';
import type { Manifest } from '@ccl/data';
import { readManifest } from '@ccl/data/node';
import { generateSyntheticAV, type SyntheticAVOptions, type TeacherSourceIndex } from '@ccl/data/media';
import { sharedSeed, type SyntheticExperimentOptions } from '../options';
import type { Stages } from '../stage';

/** The synthesised videos' manifest and the teachers' source tasks (labelled stills and sound clips). */
export interface SynthesisedData {
  manifest: Manifest;
  images: TeacherSourceIndex;
  sounds: TeacherSourceIndex;
  /** Audio sample rate and clip length of the videos. */
  sampleRate: number;
  seconds: number;
}

/** Stage 1: synthesise the mp4 files into `dataDir`, or reuse what an earlier run made with the same options. */
export async function synthesiseStage(stages: Stages, o: SyntheticExperimentOptions, dataDir: string): Promise<SynthesisedData> {
  const synthOptions: Omit<SyntheticAVOptions, 'outDir'> = {
    seed: sharedSeed(o),
    numClasses: o.classes,
    videosPerClass: o.videosPerClass,
    width: 64,
    height: 64,
    frames: 16,
    fps: 8,
    sampleRate: 16000,
    imagesPerAppearance: 16,
    clipsPerSound: 12,
    ...o.regime,
  };
  const perClass =
    o.regime?.trainVideosPerClass !== undefined ? `(${o.regime.trainVideosPerClass} train + ${o.regime.testVideosPerClass} test)` : `${o.videosPerClass}`;
  const synth = await stages.run(`synthesise ${o.classes} classes x ${perClass} videos as mp4 (H.264 + AAC)`, async () => {
    const manifestPath = path.join(dataDir, 'manifest.json');
    const indexPath = (k: string) => path.join(dataDir, 'teachers', k, 'index.json');
    const optionsPath = path.join(dataDir, 'synth-options.json');
    const wanted = JSON.stringify(synthOptions);
    if (fs.existsSync(manifestPath) && fs.existsSync(indexPath('images')) && fs.existsSync(indexPath('sounds'))) {
      const made = fs.existsSync(optionsPath) ? fs.readFileSync(optionsPath, 'utf8').trim() : null;
      if (made !== null && made !== wanted) {
        throw new Error(
          `${dataDir}: holds data synthesised with other options (${made}); this run asks for ${wanted}: use another --work folder, or remove that one`,
        );
      }
      stages.note('reusing the synthesised data');
      const read = (k: string) => JSON.parse(fs.readFileSync(indexPath(k), 'utf8')) as TeacherSourceIndex;
      return { manifest: readManifest(manifestPath), images: read('images'), sounds: read('sounds') };
    }
    const made = await generateSyntheticAV({ outDir: dataDir, ...synthOptions });
    writeFileAtomicSync(optionsPath, `${wanted}\n`);
    return made;
  });
  const meta = (synth.manifest.meta ?? {}) as Record<string, unknown>;
  return {
    manifest: synth.manifest,
    images: synth.images,
    sounds: synth.sounds,
    sampleRate: Number(meta.sampleRate ?? 16000),
    seconds: Number(meta.frames ?? 16) / Number(meta.fps ?? 8),
  };
}
