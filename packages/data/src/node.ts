/**
 * @ccl/data/node: the Node-only part of the API (node:fs and friends, node-tar). The main entry `@ccl/data`
 * works in a browser and takes bytes and values: parseNpy / encodeNpy are the byte versions of readNpy /
 * writeNpy, validateManifest of readManifest, parseTeacherFeature of readTeacherFeature. Importing this
 * entry registers the built-in datasets (ucf101, folder, activitynet, vggsound, existing).
 */
export { acquireFolderLock, isLockEntry, LOCK_FILE } from './io/folder-lock';
export type { FolderLockOptions, LockHolder } from './io/folder-lock';
export { resolveInside } from './io/resolve-inside';
export { readNpy, writeNpy } from './io/npy-files';
export { encodePngRgb } from './io/png';
export { defaultMaxArchiveBytes, extractTarGz, isMacOsMetadata, iterateTar, iterateTarGz } from './io/tar';
export type { ArchiveLimits, ExtractOptions, TarEntry } from './io/tar';
export { readTeacherFeature } from './features/teacher-files';
export { featureFilePath } from './features/feature-paths';
export { readFeatureSet, readFeaturesArchive, readFeaturesFolder } from './features/feature-set-files';
export type { TeacherFeatureSetOptions } from './features/feature-set-files';
export { featureRows, featureSplitOf } from './features/feature-split';
export type { FeatureRows, FeatureSplit } from './features/feature-split';
export { readManifest, writeManifest } from './manifest/manifest-files';
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
export { encodeClipFile, openClipFile, readClipAudio, readClipFrames, sameClipSettings, verifyClipFile, writeClipFile } from './cache/clip-file';
export type { ClipCacheSettings, ClipFileHeader, ClipFileInfo } from './cache/clip-file';
export { clipFileName, clipPath } from './cache/clip-paths';
export { loadEvalWindows } from './cache/eval-windows';
export type { EvalWindowsOptions } from './cache/eval-windows';
