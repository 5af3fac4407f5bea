// Public API of @ccl/data: browser-safe (no Node built-in, no Node-only package is reachable from this entry;
// tools/ci/dependency-cruiser.cjs checks it). It works on bytes and values: manifests (validate, make,
// split), .npy bytes, teacher features, safe names, transforms, the synthetic data's pictures and sounds.
// The file-system side (manifests, .npy and feature files on disk, tar archives, the clip cache, folder
// locks, the dataset registry whose builders scan folders) is in '@ccl/data/node'; media decoding, probing
// and encoding (ffmpeg, mediainfo.js: optional peer dependencies) and what needs them (prepareClipCache,
// generateSyntheticAV) are in '@ccl/data/media'.
export { ENVIRONMENT_ERRNO_CODES, EnvironmentError, isEnvironmentError } from './io/environment-error';
export { MAX_FILE_NAME_BYTES, classToDirName, decodeName, dirNameToClass, encodeName, fileNameToId, idToFileName } from './io/safe-names';
export { encodeNpy, parseNpy } from './io/npy';
export type { NpyArray, NpyDtype } from './io/npy';
export { parseUcfVideoName, ucfSplitOfGroup, ucfTestGroups } from './features/ucf-names';
export type { UcfVideoName } from './features/ucf-names';
export { parseTeacherFeature, selectTeacherRow, teacherFeatureFromNpy, teacherRowAtTime } from './features/teacher';
export type { TeacherFeature, TeacherFeatureOptions } from './features/teacher';
export { FEATURE_EXTENSION, featureEntryOf } from './features/layout';
export { gatherTeacherBatch } from './features/feature-set';
export type { TeacherFeatureSet, TeacherBatch } from './features/feature-set';
export {
  MANIFEST_JSON_SCHEMA,
  MANIFEST_SCHEMA,
  MANIFEST_VERSION,
  SPLIT_NAMES,
  classIndex,
  labelIndices,
  makeManifest,
  samplesOfSplit,
  sortedNames,
  validateManifest,
} from './manifest/schema';
export type { Manifest, ManifestProbe, ManifestSample, SplitName } from './manifest/schema';
export { crc32, encodeWavMono16 } from './io/image-audio-files';
export { APPEARANCE_COUNT, COLORS, MOTIONS, MOTION_ORDER, SHAPES, appearanceAt, classComposition } from './synth/appearance';
export type { Appearance, MotionPath, ShapeTest } from './synth/appearance';
export { assertBelowNyquist, highestHarmonicHz, renderSound, soundAt } from './synth/sound';
export type { SoundSpec } from './synth/sound';
export { randomScene, renderFrame } from './synth/render';
export type { SceneParams } from './synth/render';
export { assignUnrelatedSounds, classSplitSizes, sourceConceptCounts } from './synth/regime';
export type { AudioCorrespondence, SourceConcepts, UnrelatedAudio } from './synth/regime';
export { loopPad, slidingWindows, temporalCenterCrop, temporalEvenCrop, temporalRandomCrop } from './transforms/temporal';
export { resizeBilinearPil } from './transforms/resample';
export {
  KINETICS_MEAN,
  KINETICS_STD,
  centerCropBox,
  cropClip,
  gatherFrames,
  hflipClip,
  normalizeClip,
  pythonRound,
  randomResizedCropBox,
  resizeClip,
  resizeShortSideShape,
} from './transforms/spatial';
export type { ClipF32, ClipU8, CropBox, NormalizeOptions, RandomResizedCropOptions } from './transforms/spatial';
export { evalClip, evalClips, trainClip, trainSpatial } from './transforms/pipeline';
export type { TrainClipOptions, TrainClipParams } from './transforms/pipeline';
export { holdOutSplit, holdOutValidation } from './manifest/holdout';
export type { HoldOutOptions, HoldOutSplitOptions } from './manifest/holdout';
