import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { normalizeClip } from '@ccl/data';
import { createEncoder, ENCODER_METADATA_KEY } from '@ccl/encoders';
import { readSafetensors, readWeightsMetadata, writeSafetensors } from '@ccl/encoders/node';
import { audioTeacherSpec, imageTeacherSpec, openFeatureTeacher, resolveFeatureTeacher, saveTeacher } from '../src';

const input = { frames: 2, size: 16 };

describe('teacher files say what they are', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccl-teacher-files-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the demo's image teacher declares the normalisation its stills were trained with (feature extraction applied ImageNet's)", () => {
    const spec = imageTeacherSpec(3, { widthMultiplier: 1 / 16, seed: 1 });
    const encoder = createEncoder(spec.encoder, spec.options);
    const convention = encoder.inputConvention!;
    expect(convention.kind).toBe('images');
    if (convention.kind !== 'images') return;
    // what the teacher's pre-training fed it: normalizeClip (the student's clips' statistics) on RGB bytes
    const pixels = Uint8Array.from([0, 64, 128, 192, 255, 17]);
    const trained = normalizeClip({ data: pixels, t: 1, h: 1, w: 2, c: 3 }).data;
    // what feature extraction feeds it: (x / 255 - mean) / std with the convention's statistics
    const extracted = Array.from(pixels, (v, i) => (v / 255 - convention.mean[i % 3]!) / convention.std[i % 3]!);
    extracted.forEach((v, i) => expect(v).toBeCloseTo(trained[i]!, 6));
    encoder.dispose();
  });

  it('saveTeacher records the encoder and its options; features extract then needs only the weights', async () => {
    const spec = imageTeacherSpec(3, { widthMultiplier: 1 / 16, seed: 1 });
    const teacher = createEncoder(spec.encoder, spec.options);
    const file = path.join(dir, 'image-resnet18.safetensors');
    await saveTeacher(file, teacher, spec, 0.75);
    expect(readWeightsMetadata(file)).toEqual({ format: 'pt', 'ccl.encoder': 'resnet18', 'ccl.options': JSON.stringify(spec.options) });
    expect(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).toEqual({ sourceAccuracy: 0.75, ...JSON.parse(JSON.stringify(spec)) });

    const resolved = resolveFeatureTeacher({ weights: file, options: {}, ...input });
    expect([resolved.teacher, resolved.options]).toEqual(['resnet18', JSON.parse(JSON.stringify(spec.options))]);
    const opened = openFeatureTeacher({ weights: file, options: {}, ...input });
    expect(opened.inputConvention).toEqual(teacher.inputConvention);
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 4);
    const [a, b] = [teacher.features(x), opened.features(x)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    opened.dispose();

    // given options override the file's; a different encoder is refused, naming both
    expect(resolveFeatureTeacher({ teacher: 'resnet18', weights: file, options: { inputSize: 16 }, ...input }).options).toMatchObject({
      numClasses: 3,
      inputSize: 16,
    });
    expect(() => openFeatureTeacher({ teacher: 'resnet34', weights: file, options: {}, ...input })).toThrow(
      `--teacher: ${file} holds resnet18 weights (its metadata says so), not resnet34`,
    );
    teacher.dispose();
  });

  it('a file without the metadata needs --teacher, and says so', () => {
    const spec = audioTeacherSpec(2, 16000, { dim: 8, widthMultiplier: 1 / 64, seed: 1 });
    const encoder = createEncoder(spec.encoder, spec.options);
    const file = path.join(dir, 'plain.safetensors');
    const dict = encoder.stateDict();
    writeSafetensors(file, dict);
    tf.dispose(Object.values(dict));
    expect(readWeightsMetadata(file)[ENCODER_METADATA_KEY]).toBeUndefined();
    expect(() => openFeatureTeacher({ weights: file, options: {}, ...input })).toThrow(
      `--teacher: no encoder named, and ${file} does not say which encoder its weights are for`,
    );
    const opened = openFeatureTeacher({ teacher: 'cnn14', weights: file, options: spec.options, ...input });
    expect(opened.inputConvention).toMatchObject({ kind: 'waveform', sampleRate: 16000 });
    opened.dispose();
    encoder.dispose();
    const back = readSafetensors(file);
    expect(Object.keys(back).length).toBeGreaterThan(10);
    tf.dispose(Object.values(back));
  });
});
