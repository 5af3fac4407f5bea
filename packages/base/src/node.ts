// @ccl/base/node: the Node-only basics (file I/O). The main entry stays free of node builtins, so the
// libraries that import it bundle for a browser.
export { parseTempName, writeFileAtomicSync, writeJsonAtomicSync, tempPathFor } from './node/atomic-write';
export { OUTPUT_RECORD, OutputFolder } from './node/output-folder';
export type { OutputFolderOptions } from './node/output-folder';
export { processAlive } from './node/process-alive';
export type { AtomicWriteOptions } from './node/atomic-write';
export { isPathInside, realPathOf } from './node/real-path';
