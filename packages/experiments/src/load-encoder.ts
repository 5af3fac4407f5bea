import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '@ccl/encoders';
import { readSafetensors } from '@ccl/encoders/node';

/** Loads `file` (.safetensors with the PyTorch names) into `encoder`, strictly: a missing or extra tensor names the file. */
export function loadWeights<E extends Encoder>(encoder: E, file: string): E {
  const dict = readSafetensors(file);
  encoder.loadStateDict(dict, { strict: true, source: file });
  tf.dispose(Object.values(dict));
  return encoder;
}
