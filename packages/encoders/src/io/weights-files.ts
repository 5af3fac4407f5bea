import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StateDict } from '@ccl/base';
import { writeFileAtomicSync } from '@ccl/base/node';
import { createEncoder } from '../create-encoder';
import { parseSafetensors, parseSafetensorsHeader, rawTensorsToStateDict, serializeRawSafetensors, type RawTensor } from './safetensors';
import { torchFormat } from './torch/containers';
import { parseTorchCheckpoint, summarizeTensors, type TorchCheckpointOptions, type TorchStateDict } from './torch/checkpoint';
import { encoderMetadata, type EncoderSpec } from './weights-metadata';

function readBytes(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${what} ${file}: cannot read (${(err as Error).message})`);
  }
}

/** Reads a PyTorch checkpoint file (torch.save, zip or legacy format) without running its pickle: see parseTorchCheckpoint. Node only. */
export function readTorchCheckpoint(file: string, options: Omit<TorchCheckpointOptions, 'source'> = {}): TorchStateDict {
  return parseTorchCheckpoint(readBytes(file, 'torch checkpoint'), { ...options, source: file });
}

const TORCH_EXTENSIONS = new Set(['.pth', '.pt', '.ckpt', '.bin', '.tar']);

/** A weights file read into a state dict. */
export interface WeightsFile {
  dict: StateDict;
  format: 'safetensors' | 'torch-zip' | 'torch-legacy';
  /** safetensors' `__metadata__` ({} for a PyTorch checkpoint). */
  metadata: Record<string, string>;
}

/**
 * Reads weights with the PyTorch names from a `.safetensors` file or, converted in memory, from a PyTorch
 * checkpoint (`.pth`, told apart by its content; `options.key` as for readTorchCheckpoint). The caller
 * disposes `dict`. Node only.
 */
export function readWeights(file: string, options: Omit<TorchCheckpointOptions, 'source'> = {}): WeightsFile {
  const bytes = readBytes(file, 'weights');
  const format = torchFormat(bytes);
  if (format !== null || TORCH_EXTENSIONS.has(path.extname(file).toLowerCase())) {
    const checkpoint = parseTorchCheckpoint(bytes, { ...options, source: file });
    return { dict: rawTensorsToStateDict(checkpoint.tensors, `torch checkpoint ${file}`), format: `torch-${checkpoint.format}`, metadata: {} };
  }
  const { metadata } = parseSafetensorsHeader(bytes, file);
  return { dict: parseSafetensors(bytes, file), format: 'safetensors', metadata };
}

/** The `__metadata__` of a weights file without reading its tensors (only a safetensors header is read; {} for a PyTorch checkpoint). Node only. */
export function readWeightsMetadata(file: string): Record<string, string> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new Error(`weights ${file}: cannot read (${(err as Error).message})`);
  }
  try {
    const head = Buffer.alloc(16);
    const got = fs.readSync(fd, head, 0, 16, 0);
    if (torchFormat(head.subarray(0, got)) !== null || TORCH_EXTENSIONS.has(path.extname(file).toLowerCase())) return {};
    const size = fs.fstatSync(fd).size;
    const headerLength = got >= 8 ? head.readBigUInt64LE(0) : 0n;
    if (got < 8 || headerLength > BigInt(size - 8)) return parseSafetensorsHeader(head.subarray(0, got), file, size).metadata; // names the problem
    const bytes = Buffer.alloc(8 + Number(headerLength));
    fs.readSync(fd, bytes, 0, bytes.length, 0);
    return parseSafetensorsHeader(bytes, file, size).metadata;
  } finally {
    fs.closeSync(fd);
  }
}

/** What `importTorchCheckpoint` found and wrote. */
export interface TorchImportReport {
  source: string;
  out: string;
  format: 'zip' | 'legacy';
  key: string | null;
  strippedPrefix: string | null;
  tensors: number;
  /** Elements of all tensors (parameters and buffers). */
  elements: number;
  dtypes: Record<string, number>;
  /** Every tensor: name, dtype, shape (in file order). */
  names: { name: string; dtype: string; shape: number[] }[];
  skipped: string[];
  others: Record<string, string>;
  /** The encoder the tensors were checked against and recorded for, if any. */
  encoder: EncoderSpec | null;
  bytes: number;
}

/** Builds `spec`'s encoder and loads `tensors` into it strictly (every name and shape checked); throws what does not fit. Needs a tfjs backend. */
function checkEncoderFits(spec: EncoderSpec, tensors: Record<string, RawTensor>, source: string): void {
  const encoder = createEncoder(spec.encoder, spec.options);
  const dict = rawTensorsToStateDict(tensors, source);
  try {
    encoder.loadStateDict(dict, { strict: true, source });
  } finally {
    Object.values(dict).forEach((t) => t.dispose());
    encoder.dispose();
  }
}

/**
 * `ccl weights import`: reads a PyTorch checkpoint (readTorchCheckpoint) and writes its state dict as
 * safetensors, each tensor in its own dtype, atomically (temporary file, fsync, rename): a failed import
 * writes nothing. With `encoder`, the tensors are first loaded strictly into that encoder (a tfjs backend
 * is needed then) and the file records it (encoderMetadata), so it says what it is. Node only.
 */
export function importTorchCheckpoint(
  file: string,
  out: string,
  options: Omit<TorchCheckpointOptions, 'source'> & { encoder?: EncoderSpec } = {},
): TorchImportReport {
  const checkpoint = readTorchCheckpoint(file, { key: options.key });
  if (options.encoder) checkEncoderFits(options.encoder, checkpoint.tensors, file);
  const bytes = serializeRawSafetensors(checkpoint.tensors, { format: 'pt', ...(options.encoder ? encoderMetadata(options.encoder) : {}) });
  writeFileAtomicSync(out, bytes, { what: 'safetensors' });
  const summary = summarizeTensors(checkpoint.tensors);
  return {
    source: file,
    out,
    format: checkpoint.format,
    key: checkpoint.key,
    strippedPrefix: checkpoint.strippedPrefix,
    tensors: summary.count,
    elements: summary.elements,
    dtypes: summary.dtypes,
    names: Object.entries(checkpoint.tensors).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
    skipped: checkpoint.skipped,
    others: checkpoint.others,
    encoder: options.encoder ?? null,
    bytes: bytes.length,
  };
}

/** The report as the command prints it: what was found, where, what else the file holds, what was written. */
export function formatTorchImport(r: TorchImportReport): string {
  const where = r.key === null ? "the file's top-level dict" : `key '${r.key}'`;
  const dtypes = Object.entries(r.dtypes)
    .map(([d, n]) => `${d} ${n}`)
    .join(', ');
  const first = r.names.slice(0, 4).map((t) => `${t.name} ${t.dtype} [${t.shape.join(', ')}]`);
  const lines = [
    `${r.source}: torch.save ${r.format === 'zip' ? 'zip archive' : 'legacy format'}; state dict: ${where}`,
    `${r.tensors} tensors, ${r.elements.toLocaleString('en-US')} elements (${dtypes}): ${first.join(', ')}${r.names.length > 4 ? ', ...' : ''}`,
  ];
  if (r.strippedPrefix) lines.push(`names: the DataParallel prefix '${r.strippedPrefix}' stripped`);
  if (r.skipped.length) lines.push(`left out (not tensors): ${r.skipped.join('; ')}`);
  const others = Object.entries(r.others);
  if (others.length) lines.push(`also in the file: ${others.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  if (r.encoder) lines.push(`loads strictly into ${r.encoder.encoder} ${JSON.stringify(r.encoder.options)}; recorded in the file's metadata`);
  lines.push(`wrote ${r.out} (${r.bytes.toLocaleString('en-US')} bytes)`);
  return lines.join('\n');
}
