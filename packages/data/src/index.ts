// Public API of @ccl/data. Media decoding, probing and encoding (ffmpeg, mediainfo.js: optional peer
// dependencies) and what needs them (prepareClipCache, generateSyntheticAV) are in '@ccl/data/media'.
export { acquireFolderLock, isLockEntry, LOCK_FILE } from './io/folder-lock';
export { ENVIRONMENT_ERRNO_CODES, EnvironmentError, isEnvironmentError } from './io/environment-error';
export type { FolderLockOptions, LockHolder } from './io/folder-lock';
export { MAX_FILE_NAME_BYTES, classToDirName, decodeName, dirNameToClass, encodeName, fileNameToId, idToFileName, resolveInside } from './io/safe-names';
export { encodeNpy, parseNpy, readNpy, writeNpy } from './io/npy';
export type { NpyArray, NpyDtype } from './io/npy';
export { defaultMaxArchiveBytes, extractTarGz, isMacOsMetadata, iterateTar, iterateTarGz } from './io/tar';
export type { ArchiveLimits, ExtractOptions, TarEntry } from './io/tar';
export { parseUcfVideoName, ucfSplitOfGroup, ucfTestGroups } from './features/ucf-names';
export type { UcfVideoName } from './features/ucf-names';
export { parseTeacherFeature, readTeacherFeature, selectTeacherRow, teacherFeatureFromNpy, teacherRowAtTime } from './features/teacher';
export type { TeacherFeature, TeacherFeatureOptions } from './features/teacher';
export { FEATURE_EXTENSION, featureEntryOf, featureFilePath } from './features/layout';
export { gatherTeacherBatch, readFeatureSet, readFeaturesArchive, readFeaturesFolder } from './features/feature-set';
export { featureRows, featureSplitOf } from './features/feature-split';
export type { FeatureRows, FeatureSplit } from './features/feature-split';
export type { TeacherFeatureSet, TeacherFeatureSetOptions, TeacherBatch } from './features/feature-set';
export {
  MANIFEST_JSON_SCHEMA,
  MANIFEST_SCHEMA,
  MANIFEST_VERSION,
  SPLIT_NAMES,
  classIndex,
  labelIndices,
  makeManifest,
  readManifest,
  samplesOfSplit,
  sortedNames,
  validateManifest,
  writeManifest,
} from './manifest/schema';
export type { Manifest, ManifestProbe, ManifestSample, SplitName } from './manifest/schema';
export { VIDEO_EXTENSIONS, scanClassFolders } from './manifest/files';
export {
  DATASET_ARG_FLAGS,
  checkDatasetArgs,
  datasetArgumentHelp,
  datasetArguments,
  datasetChoicesHelp,
  existingArg,
  getDataset,
  listDatasets,
  registerDataset,
} from './manifest/datasets';
export type { Dataset, DatasetArgName, DatasetArgs } from './manifest/datasets';
import './manifest/builtin-datasets'; // registers the built-in datasets
export { buildUcf101FromFolders, buildUcf101FromLists, buildUcf51FromFeatures, selectClassesWithAudio } from './manifest/ucf101';
export type { Ucf101ListOptions, Ucf101ScanOptions, Ucf51FromFeaturesOptions } from './manifest/ucf101';
export { FOLDER_TEST_FRACTION, buildFolderManifest, hasTrainTestLayout } from './manifest/folder';
export type { FolderManifestOptions } from './manifest/folder';
export { buildActivityNetManifest } from './manifest/activitynet';
export type { ActivityNetOptions } from './manifest/activitynet';
export { buildVggSoundManifest, parseCsvLine } from './manifest/vggsound';
export type { VggSoundOptions } from './manifest/vggsound';
export { crc32, encodePngRgb, encodeWavMono16 } from './io/image-audio-files';
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
export { encodeClipFile, openClipFile, readClipAudio, readClipFrames, sameClipSettings, verifyClipFile, writeClipFile } from './cache/clip-file';
export type { ClipCacheSettings, ClipFileHeader, ClipFileInfo } from './cache/clip-file';
export { clipFileName, clipPath } from './cache/clip-paths';
export { loadEvalWindows } from './cache/eval-windows';
export type { EvalWindowsOptions } from './cache/eval-windows';
export { holdOutSplit, holdOutValidation } from './manifest/holdout';
export type { HoldOutOptions, HoldOutSplitOptions } from './manifest/holdout';
