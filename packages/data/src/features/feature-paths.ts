import { resolveInside } from '../io/resolve-inside';
import { classToDirName, idToFileName } from '../io/safe-names';
import { FEATURE_EXTENSION } from './layout';

/**
 * Where one video's teacher feature lives: `<dir>/<class folder>/<id file name>.npy`, both names through
 * the safe-name mapping (io/safe-names.ts) and the result checked to stay inside `dir`. The reference's
 * UCF101 layout (`ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.npy`) is this mapping's output unchanged.
 */
export function featureFilePath(dir: string, className: string, id: string): string {
  return resolveInside(dir, [classToDirName(className), idToFileName(id, FEATURE_EXTENSION)]);
}
