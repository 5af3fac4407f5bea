// @ccl/base/node: the Node-only basics (file I/O). The main entry stays free of node builtins, so the
// libraries that import it bundle for a browser.
export { writeFileAtomicSync, writeJsonAtomicSync, tempPathFor } from './node/atomic-write';
export type { AtomicWriteOptions } from './node/atomic-write';
export { isPathInside, realPathOf } from './node/real-path';
