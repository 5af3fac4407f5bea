import * as path from 'node:path';
import type { Manifest } from '@ccl/data';
import { extractTeacherFeatures } from '../../features/extract-teacher-features';
import { fixedLengthAudio } from '../../features/teacher-inputs';
import { pretrainAudioTeacher, pretrainImageTeacher, type PretrainedTeacher } from '../../teachers/pretrain';
import { sharedSeed, type SyntheticExperimentOptions } from '../options';
import type { Stages } from '../stage';
import type { SynthesisedData } from './synthesise';

/** Stages 3 and 4: pre-train the image teacher on stills labelled by appearance, the audio teacher on clips labelled by sound. */
export async function pretrainTeachersStage(
  stages: Stages,
  o: SyntheticExperimentOptions,
  synth: SynthesisedData,
  dataDir: string,
): Promise<{ image: PretrainedTeacher; audio: PretrainedTeacher }> {
  const spec = { dim: o.dim, widthMultiplier: o.dim / 512, seed: sharedSeed(o) };
  const image = await stages.run('pre-train the image teacher (ResNet-18) on stills labelled by appearance', async () => {
    const t = await pretrainImageTeacher(
      dataDir,
      synth.images,
      o.student.size,
      { ...spec, epochs: o.teacherEpochs.image },
      path.join(o.workDir, 'teachers', 'image-resnet18.safetensors'),
    );
    stages.note(
      `${t.reused ? 'reused; ' : ''}held-out appearance accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.images.classes.length} appearances)`,
    );
    return t;
  });
  const audio = await stages.run('pre-train the audio teacher (Cnn14) on clips labelled by sound', async () => {
    const t = await pretrainAudioTeacher(
      dataDir,
      synth.sounds,
      synth.sampleRate,
      synth.seconds,
      { ...spec, epochs: o.teacherEpochs.audio },
      path.join(o.workDir, 'teachers', 'audio-cnn14.safetensors'),
    );
    stages.note(`${t.reused ? 'reused; ' : ''}held-out sound accuracy ${(100 * t.sourceAccuracy).toFixed(1)}% (${synth.sounds.classes.length} sounds)`);
    return t;
  });
  return { image, audio };
}

/** Stage 5: the audio teacher's feature of every video, one .npy each in `featuresDir` (existing ones reused). */
export async function extractAudioFeaturesStage(
  stages: Stages,
  manifest: Manifest,
  synth: SynthesisedData,
  audioTeacher: PretrainedTeacher,
  paths: { cacheDir: string; featuresDir: string },
): Promise<void> {
  await stages.run('extract the audio teacher features (one .npy per video)', async () => {
    const input = fixedLengthAudio(Math.round(synth.sampleRate * synth.seconds));
    const r = await extractTeacherFeatures({
      samples: manifest.samples,
      cacheDir: paths.cacheDir,
      encoder: audioTeacher.encoder,
      input,
      outDir: paths.featuresDir,
    });
    stages.note(`${r.written} written, ${r.reused} reused, ${r.noInput.length} videos without audio`);
  });
}
