import { existingArg, registerDataset } from './datasets';
import { readManifest } from './schema';

/** An existing manifest file (`--annotations`), its videos under `--root`. */
registerDataset({
  name: 'manifest',
  description: 'an existing manifest file',
  arguments: { annotations: 'a manifest file' },
  buildManifest: ({ annotations }) => readManifest(existingArg(annotations, 'annotations')),
});
