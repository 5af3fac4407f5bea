import * as path from 'node:path';
import { existingArg, registerDataset } from './datasets';
import { readManifest } from './manifest-files';

/**
 * An existing manifest file (`--annotations`). Its relative video paths resolve against `--root` when given, else
 * against the manifest's own `root` (relative to the manifest file's folder), else that folder.
 */
registerDataset({
  name: 'manifest',
  description: 'an existing manifest file',
  arguments: {
    annotations: 'a manifest file',
    root: "the folder its relative video paths resolve against (default: the manifest's root, else its folder)",
  },
  required: ['annotations'],
  buildManifest: ({ annotations, root }) => {
    const file = existingArg(annotations, 'annotations');
    const manifest = readManifest(file);
    const base = path.dirname(path.resolve(file));
    return { ...manifest, root: root ?? (manifest.root !== undefined ? path.resolve(base, manifest.root) : base) };
  },
});
