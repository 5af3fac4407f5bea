/**
 * What a weights file says about itself, in safetensors' `__metadata__` (string values only): the
 * registered encoder its tensors belong to and every option needed to build it, so `createEncoder(name,
 * options)` + a strict `loadStateDict` needs nothing else (`ccl features extract --weights FILE`, an
 * experiment teacher's `weights`).
 */
export const ENCODER_METADATA_KEY = 'ccl.encoder';
export const OPTIONS_METADATA_KEY = 'ccl.options';

/** The encoder a file's weights are for. */
export interface EncoderSpec {
  encoder: string;
  options: Record<string, unknown>;
}

/** The metadata entries that record `spec` (add them to `{ format: 'pt' }`). */
export function encoderMetadata(spec: EncoderSpec): Record<string, string> {
  return { [ENCODER_METADATA_KEY]: spec.encoder, [OPTIONS_METADATA_KEY]: JSON.stringify(spec.options) };
}

/** The encoder a file's metadata names, or null when it names none; malformed options are an error naming `source`. */
export function encoderSpecOf(metadata: Record<string, string>, source: string): EncoderSpec | null {
  const encoder = metadata[ENCODER_METADATA_KEY];
  if (encoder === undefined) return null;
  let options: unknown = {};
  try {
    options = JSON.parse(metadata[OPTIONS_METADATA_KEY] ?? '{}');
  } catch (err) {
    throw new Error(`${source}: metadata '${OPTIONS_METADATA_KEY}' is not JSON (${(err as Error).message})`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new Error(`${source}: metadata '${OPTIONS_METADATA_KEY}' is not a JSON object`);
  return { encoder, options: options as Record<string, unknown> };
}
