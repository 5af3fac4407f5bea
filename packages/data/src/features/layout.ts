import { dirNameToClass, fileNameToId } from '../io/safe-names';

/** Extension of one teacher-feature file. */
export const FEATURE_EXTENSION = '.npy';

/** The class and video id of a feature file found as `<class folder>/<file name>` (inverse of `featureFilePath`, features/feature-paths.ts). */
export function featureEntryOf(classDirName: string, fileName: string): { className: string; id: string } {
  return { className: dirNameToClass(classDirName), id: fileNameToId(fileName, FEATURE_EXTENSION) };
}
