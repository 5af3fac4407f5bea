import { readNpy } from '../io/npy-files';
import { teacherFeatureFromNpy, type TeacherFeature, type TeacherFeatureOptions } from './teacher';

/** Reads and validates one teacher-feature `.npy` file; `id` defaults to the file's stem. */
export function readTeacherFeature(file: string, options: TeacherFeatureOptions & { id?: string } = {}): TeacherFeature {
  const id = options.id ?? file.replace(/^.*[\\/]/, '').replace(/\.npy$/, '');
  return teacherFeatureFromNpy(id, readNpy(file), file, options);
}
