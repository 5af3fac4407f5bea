import * as tf from '@tensorflow/tfjs-core';
import { encoderSpecOf, type Encoder, type EncoderSpec } from '@ccl/encoders';
import { readWeights, readWeightsMetadata } from '@ccl/encoders/node';

/**
 * Loads `file` (.safetensors with the PyTorch names, or a PyTorch checkpoint .pth converted in memory) into
 * `encoder`, strictly: a missing or extra tensor names the file.
 */
export function loadWeights<E extends Encoder>(encoder: E, file: string): E {
  const { dict } = readWeights(file);
  try {
    encoder.loadStateDict(dict, { strict: true, source: file });
  } finally {
    tf.dispose(Object.values(dict));
  }
  return encoder;
}

/**
 * The encoder to build for a weights file: the name and options given, completed from what the file says
 * about itself (its `ccl.encoder` / `ccl.options` metadata, see @ccl/encoders' encoderMetadata); given
 * options override the file's. A given name other than the file's, or no name anywhere, is an error
 * starting with `what` (the flag or config key that named the file).
 */
export function weightsEncoderSpec(file: string | undefined, given: { name?: string; options?: Record<string, unknown> }, what: string): EncoderSpec {
  const recorded = file ? encoderSpecOf(readWeightsMetadata(file), file) : null;
  if (given.name && recorded && given.name !== recorded.encoder)
    throw new Error(`${what}: ${file} holds ${recorded.encoder} weights (its metadata says so), not ${given.name}`);
  const encoder = given.name ?? recorded?.encoder;
  if (!encoder) throw new Error(file ? `${what}: no encoder named, and ${file} does not say which encoder its weights are for` : `${what}: no encoder named`);
  return { encoder, options: { ...recorded?.options, ...given.options } };
}
