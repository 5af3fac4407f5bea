// The method registry with the built-in methods registered (baseline, CCL, the KD baselines).
import './baseline';
import './ccl';
import './kd';

export { checkMethodName, createMethod, listMethods, registerMethod } from './registry';
