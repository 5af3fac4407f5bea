import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync } from '@ccl/base/node';

/**
 * Export of a trained encoder in the tfjs `model.json` artifact format (tf.io.ModelJSON): `model.json`
 * with a weights manifest plus one `weights.bin`. The weights are the encoder's state dict (torch names
 * and layouts, so the same file set also feeds a PyTorch loader); `modelTopology` carries what is needed
 * to rebuild the encoder, e.g. { encoder: 'r2plus1d-18', options: { numClasses: 51 } }.
 */

export const TFJS_MODEL_FORMAT = 'ccl-state-dict';
const WEIGHTS_FILE = 'weights.bin';

/** Writes `dir/model.json` and `dir/weights.bin` (each atomically; weights first). */
export async function writeTfjsModel(dir: string, dict: Record<string, tf.Tensor>, topology: Record<string, unknown> = {}): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(dict);
  writeFileAtomicSync(path.join(dir, WEIGHTS_FILE), new Uint8Array(data), { what: 'tfjs model' });
  const modelJson: tf.io.ModelJSON = {
    format: TFJS_MODEL_FORMAT,
    generatedBy: '@ccl/encoders',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  writeFileAtomicSync(path.join(dir, 'model.json'), JSON.stringify(modelJson, null, 1), { what: 'tfjs model' });
}

/** Reads what writeTfjsModel wrote: the state dict (caller disposes) and the topology. */
export function readTfjsModel(dir: string): { dict: Record<string, tf.Tensor>; topology: Record<string, unknown> } {
  const jsonPath = path.join(dir, 'model.json');
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`tfjs model ${jsonPath}: cannot read (${(e as Error).message})`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new Error(`tfjs model ${jsonPath}: no weightsManifest`);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => {
      const file = path.join(dir, p);
      try {
        return fs.readFileSync(file);
      } catch (e) {
        throw new Error(`tfjs model ${jsonPath}: cannot read weights ${file} (${(e as Error).message})`);
      }
    });
  const all = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'bool' ? 1 : 4), 0);
  if (all.length !== expected) throw new Error(`tfjs model ${jsonPath}: weights hold ${all.length} bytes, the manifest needs ${expected}`);
  const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  return { dict: tf.io.decodeWeights(data, specs), topology: (json.modelTopology ?? {}) as Record<string, unknown> };
}
