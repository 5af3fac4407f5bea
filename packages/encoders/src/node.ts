/**
 * @ccl/encoders/node: the Node-only part of the API (file I/O with node:fs). The main entry works in a
 * browser and takes bytes: parseSafetensors / serializeSafetensors / parseTorchCheckpoint are the byte
 * versions of readSafetensors / writeSafetensors / readTorchCheckpoint.
 */
export { readSafetensors, writeSafetensors } from './io/safetensors-files';
export { writeTfjsModel, readTfjsModel, TFJS_MODEL_FORMAT } from './io/tfjs-model';
export {
  readTorchCheckpoint,
  readWeights,
  readWeightsMetadata,
  importTorchCheckpoint,
  formatTorchImport,
  type WeightsFile,
  type TorchImportReport,
} from './io/weights-files';
export {
  saveCheckpoint,
  loadCheckpoint,
  groupByPrefix,
  withPrefix,
  type CheckpointMeta,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
} from './io/checkpoint';
