// Public API of @ccl/data.
export { createRng, shuffled } from './io/rng';
export type { Rng } from './io/rng';
export { writeFileAtomicSync, writeJsonAtomicSync } from './io/atomic';
export { encodeNpy, parseNpy, readNpy, writeNpy } from './io/npy';
export type { NpyArray, NpyDtype } from './io/npy';
export { extractTarGz, isMacOsMetadata, iterateTar, iterateTarGz } from './io/tar';
export type { ExtractOptions, TarEntry } from './io/tar';
export { parseUcfVideoName, ucfSplitOfGroup, ucfTestGroups } from './features/ucf-names';
export type { UcfVideoName } from './features/ucf-names';
export { parseTeacherFeature, readTeacherFeature, selectTeacherRow, teacherFeatureFromNpy } from './features/teacher';
export type { TeacherFeature, TeacherFeatureOptions } from './features/teacher';
export { gatherTeacherBatch, readFeaturesArchive, readFeaturesFolder } from './features/feature-set';
export type { FeatureSet, FeatureSetOptions, TeacherBatch } from './features/feature-set';
