import { classToDirName, dirNameToClass, fileNameToId, idToFileName, resolveInside } from '../io/safe-names';

/** Extension of one teacher-feature file. */
export const FEATURE_EXTENSION = '.npy';

/**
 * Where one video's teacher feature lives: `<dir>/<class folder>/<id file name>.npy`, both names through
 * the safe-name mapping (io/safe-names.ts) and the result checked to stay inside `dir`. The reference's
 * UCF101 layout (`ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.npy`) is this mapping's output unchanged.
 */
export function featureFilePath(dir: string, className: string, id: string): string {
  return resolveInside(dir, [classToDirName(className), idToFileName(id, FEATURE_EXTENSION)]);
}

/** The class and video id of a feature file found as `<class folder>/<file name>` (inverse of {@link featureFilePath}). */
export function featureEntryOf(classDirName: string, fileName: string): { className: string; id: string } {
  return { className: dirNameToClass(classDirName), id: fileNameToId(fileName, FEATURE_EXTENSION) };
}
